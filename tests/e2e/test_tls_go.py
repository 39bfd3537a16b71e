"""Go's crypto/tls end to end: the Go fixture serving HTTPS (unstripped, and built with
-ldflags="-s -w" so its functions are found through .gopclntab), and grpc-go over TLS as
server and client. The fixture wraps its net.Conn (deliveryConn), so the socket is found from
the call's own syscalls, not the *net.TCPConn itab. Counts are exact, per status."""
import http.client
import ssl
import time
import urllib.parse

from harness import (Proc, free_port, make_cert, metric_value, scrape, start_agent, wait_spans,
                     wait_until, watched_pids)


def start_go_tls(server, cert, key, http_port, grpc_port=None):
    argv = [server, "--http-port", str(http_port), "--tls-cert", str(cert), "--tls-key", str(key)]
    if grpc_port:
        argv += ["--grpc-port", str(grpc_port)]
    f = Proc(argv, name="go-tls-fixture")
    f.wait_line(r"^ready$")
    return f


def https_requests(port, paths):
    """One keep-alive TLS connection per 4 requests; returns the statuses."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    statuses = []
    for i in range(0, len(paths), 4):
        c = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=10)
        for p in paths[i:i + 4]:
            c.request("GET", p)
            r = c.getresponse()
            r.read()
            statuses.append(r.status)
        c.close()
    return statuses


def check_https_server(hugin, server, tmp_path, expect_stripped):
    cert, key = make_cert(str(tmp_path))
    port, prom = free_port(), free_port()
    srv = start_go_tls(server, cert, key, port)
    agent = start_agent(hugin, {"HUGIN_OPEN_PORT": str(port), "HUGIN_TRACE_PRINTER": "json",
                                "HUGIN_PROMETHEUS_PORT": str(prom)})
    try:
        probed = agent.wait_line(r"TLS plaintext from .*crypto/tls", where="err")
        assert ("stripped binary" in probed) == expect_stripped, probed
        paths = [f"/ok{i}" for i in range(7)] + [f"/nf{i}?status=404" for i in range(3)] + \
                ["/err?status=503"] * 2
        assert https_requests(port, paths) == [200] * 7 + [404] * 3 + [503] * 2
        spans = wait_spans(agent, len(paths), kind="server")
        time.sleep(0.3)
        spans = [s for s in spans if s["kind"] == "server"]
        assert sorted(s["path"] for s in spans) == sorted(p.split("?")[0] for p in paths)
        assert all(s["tls"] is True and s["protocol"] == "http" for s in spans)
        by_path = {s["path"]: s["status"] for s in spans}
        assert by_path["/ok0"] == 200 and by_path["/nf0"] == 404 and by_path["/err"] == 503
        text = scrape(prom)
        count = "http_server_request_duration_seconds_count"
        assert metric_value(text, count, http_response_status_code=200) == 7
        assert metric_value(text, count, http_response_status_code=404) == 3
        assert metric_value(text, count, http_response_status_code=503) == 2
        assert metric_value(text, "hugin_tls_connections_total") == 3
        assert metric_value(text, "hugin_kernel_drops_total", reason="tls_no_connection") == 0
        assert metric_value(text, "hugin_parse_errors_total") == 0
    finally:
        agent.stop()
        srv.stop()


def test_go_https_server_gives_exact_counts_and_tls_spans(hugin, server, tmp_path):
    check_https_server(hugin, server, tmp_path, expect_stripped=False)


def test_stripped_go_https_server_is_found_through_pclntab(hugin, server_stripped, tmp_path):
    check_https_server(hugin, server_stripped, tmp_path, expect_stripped=True)


def test_grpc_go_over_tls_server_and_client_spans(hugin, server, tmp_path):
    cert, key = make_cert(str(tmp_path))
    grpc_port, callee_http, caller_http = free_port(), free_port(), free_port()
    callee = start_go_tls(server, cert, key, callee_http, grpc_port=grpc_port)
    caller = Proc([server, "--http-port", str(caller_http)], name="go-caller")
    caller.wait_line(r"^ready$")
    agent = start_agent(hugin, {"HUGIN_OPEN_PORT": f"{grpc_port},{caller_http}",
                                "HUGIN_TRACE_PRINTER": "json"})
    try:
        agent.wait_line(r"crypto/tls", where="err")
        # Both processes run the same binary, so one crypto/tls line may come before the second
        # process is watched; a call made before then would have no client span.
        both = {callee.p.pid, caller.p.pid}
        wait_until(lambda: both <= watched_pids(agent),
                   lambda: f"agent watching both {both}: {watched_pids(agent)}")
        plan = [dict()] * 5 + [dict(call_code=5)] * 2
        for q in plan:
            query = urllib.parse.urlencode({"call": f"grpcs://127.0.0.1:{grpc_port}", **q})
            c = http.client.HTTPConnection("127.0.0.1", caller_http, timeout=10)
            c.request("GET", f"/c?{query}")
            r = c.getresponse()
            r.read()
            assert r.status == (502 if q.get("call_code") else 200)
        # Per call: the caller's plain HTTP server span, its gRPC client span over TLS, and
        # the callee's gRPC server span over TLS.
        spans = wait_spans(agent, 3 * len(plan))
        time.sleep(0.3)
        grpc = [s for s in wait_spans(agent, 0) if s["protocol"] == "grpc"]
        for kind in ("server", "client"):
            mine = [s for s in grpc if s["kind"] == kind]
            assert len(mine) == len(plan), (kind, mine)
            assert all(s["tls"] is True and s["path"] == "/hugin.fixture.Echo/Unary" for s in mine)
            assert sorted(s["grpc_status"] for s in mine) == [0] * 5 + [5] * 2
        http_spans = [s for s in spans if s["protocol"] == "http"]
        assert all("tls" not in s for s in http_spans), "the caller's own port is plain HTTP"
    finally:
        agent.stop()
        caller.stop()
        callee.stop()
