"""HTTP/2 and gRPC end to end: the Go fixture as a gRPC server (grpc-go) and as a gRPC client
(call=grpc://, grpc-go's client), h2load with 100 concurrent streams on one connection, plain
HTTP/2 over prior-knowledge h2c, and a late attach that must not produce a wrong field. Every
span is compared with the callee's own access log."""
import json
import subprocess
import time
import urllib.parse

from harness import Proc, free_port, get, metric_value, scrape, start_agent, wait_spans

UNARY = "/hugin.fixture.Echo/Unary"
STREAM = "/hugin.fixture.Echo/Stream"


def start_go(server, log, http_port, grpc_port=None, h2c_port=None):
    argv = [server, "--http-port", str(http_port), "--access-log", str(log)]
    if grpc_port:
        argv += ["--grpc-port", str(grpc_port)]
    if h2c_port:
        argv += ["--h2c-port", str(h2c_port)]
    f = Proc(argv, name="go-fixture")
    f.wait_line(r"^ready$")
    return f


def log_lines(path, proto=None):
    lines = [json.loads(l) for l in path.read_text().splitlines() if l.strip()]
    return [l for l in lines if proto is None or l.get("proto") == proto]


def call(http_port, target, **query):
    q = urllib.parse.urlencode({"call": target, **query})
    status, _ = get(f"http://127.0.0.1:{http_port}/c?{q}")
    return status


def test_grpc_server_and_client_spans_match_the_callee_log(hugin, server, tmp_path):
    callee_log, caller_log = tmp_path / "callee.jsonl", tmp_path / "caller.jsonl"
    grpc_port, callee_http, caller_http = free_port(), free_port(), free_port()
    callee = start_go(server, callee_log, callee_http, grpc_port=grpc_port)
    caller = start_go(server, caller_log, caller_http)
    agent = start_agent(hugin, {"HUGIN_OPEN_PORT": f"{grpc_port},{caller_http}",
                                "HUGIN_TRACE_PRINTER": "json"})
    try:
        agent.wait_line(r"watching pid .*", where="err")
        time.sleep(0.3)
        target = f"grpc://127.0.0.1:{grpc_port}"
        plan = ([dict()] * 6 + [dict(call_code=5)] * 3 + [dict(call_reply_size=70000)] * 2 +
                [dict(call_reply_size=10)] * 2)
        for q in plan:
            want = 502 if q.get("call_code") else 200
            assert call(caller_http, target, **q) == want
        assert call(caller_http, target + "/Stream", call_count=5, call_reply_size=100) == 200
        n = len(plan) + 1
        spans = wait_spans(agent, 3 * n, timeout=10)
    finally:
        agent.stop()
        caller.stop()
        callee.stop()
    truth = log_lines(callee_log, "grpc")
    assert len(truth) == n
    server_spans = [s for s in spans if s["kind"] == "server" and s["protocol"] == "grpc"]
    client_spans = [s for s in spans if s["kind"] == "client" and s["protocol"] == "grpc"]
    http_spans = [s for s in spans if s["protocol"] == "http"]
    assert len(server_spans) == n, server_spans
    assert len(client_spans) == n, client_spans
    assert len(http_spans) == n  # the caller's own HTTP/1 server spans
    # Each server span is the callee's log line on the same client port.
    by_port = {int(t["peer"].rsplit(":", 1)[1]): [] for t in truth}
    for t in truth:
        by_port[int(t["peer"].rsplit(":", 1)[1])].append(t)
    for s in sorted(server_spans, key=lambda s: s["start_ns"]):
        t = by_port[s["peer"]["port"]].pop(0)
        assert s["method"] == "POST"
        assert s["path"] == t["path"]
        assert s["status"] == 200
        assert s["grpc_status"] == t["status"]
        assert s["request_body_bytes"] == t["req_bytes"], (s, t)
        assert s["response_body_bytes"] == t["resp_bytes"], (s, t)
        assert s["local"]["port"] == grpc_port
        assert s["stream_id"] % 2 == 1
        assert s["start_ns"] <= t["start_ns"] and t["end_ns"] <= s["end_ns"] + 1_000_000
    # The client spans: the same calls seen from grpc-go's client.
    assert sorted(s["grpc_status"] for s in client_spans) == sorted(t["status"] for t in truth)
    assert sorted(s["path"] for s in client_spans) == sorted(t["path"] for t in truth)
    assert {s["peer"]["port"] for s in client_spans} == {grpc_port}


def test_rpc_metrics_and_trace_lines(hugin, server, tmp_path):
    log = tmp_path / "callee.jsonl"
    grpc_port, http_port, prom = free_port(), free_port(), free_port()
    callee = start_go(server, log, http_port, grpc_port=grpc_port)
    caller_log = tmp_path / "caller.jsonl"
    caller_http = free_port()
    caller = start_go(server, caller_log, caller_http)
    agent = start_agent(hugin, {"HUGIN_OPEN_PORT": str(grpc_port), "HUGIN_PROMETHEUS_PORT": str(prom),
                                "HUGIN_TRACE_PRINTER": "text"})
    try:
        agent.wait_line(r"watching pid", where="err")
        time.sleep(0.3)
        for code in (0, 0, 0, 5, 5):
            call(caller_http, f"grpc://127.0.0.1:{grpc_port}", call_code=code)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            text = scrape(prom)
            if (metric_value(text, "rpc_server_duration_seconds_count", rpc_grpc_status_code="5") or 0) >= 2:
                break
            time.sleep(0.2)
        ok = metric_value(text, "rpc_server_duration_seconds_count", rpc_system="grpc",
                          rpc_method=UNARY, rpc_grpc_status_code="0", server_port=grpc_port)
        bad = metric_value(text, "rpc_server_duration_seconds_count", rpc_method=UNARY,
                           rpc_grpc_status_code="5")
        assert (ok, bad) == (3.0, 2.0), text
        assert metric_value(text, "http_server_request_duration_seconds_count") is None
        lines = [l for l in agent.out if " grpc " in l]
        assert len(lines) == 5
        assert sum(1 for l in lines if ") 5 grpc /hugin.fixture.Echo/Unary [" in l) == 2
    finally:
        agent.stop()
        caller.stop()
        callee.stop()


def test_h2load_100_concurrent_streams_on_one_connection(hugin, server, tmp_path):
    log = tmp_path / "callee.jsonl"
    grpc_port, http_port = free_port(), free_port()
    callee = start_go(server, log, http_port, grpc_port=grpc_port)
    body = tmp_path / "body.bin"
    body.write_bytes(b"\x00\x00\x00\x00\x00")  # one empty EchoRequest message
    agent = start_agent(hugin, {"HUGIN_OPEN_PORT": str(grpc_port), "HUGIN_TRACE_PRINTER": "json"})
    try:
        agent.wait_line(r"watching pid", where="err")
        time.sleep(0.3)
        out = subprocess.run(["h2load", "-n", "1000", "-c", "1", "-m", "100", "-d", str(body),
                              "-H", "content-type: application/grpc", "-H", "te: trailers",
                              f"http://127.0.0.1:{grpc_port}{UNARY}"],
                             capture_output=True, text=True, timeout=60)
        assert "1000 succeeded" in out.stdout, out.stdout
        spans = wait_spans(agent, 1000, timeout=10)
    finally:
        agent.stop()
        callee.stop()
    truth = log_lines(log, "grpc")
    assert len(truth) == 1000
    grpc_spans = [s for s in spans if s["protocol"] == "grpc"]
    assert len(grpc_spans) == 1000
    assert all(s["path"] == UNARY and s["grpc_status"] == 0 and s["status"] == 200 for s in grpc_spans)
    assert len({s["stream_id"] for s in grpc_spans}) == 1000  # one connection, every stream once


def test_plain_http2_over_h2c_goes_to_the_http_families(hugin, server, tmp_path):
    log = tmp_path / "h2c.jsonl"
    h2c_port, http_port, prom = free_port(), free_port(), free_port()
    fixture = start_go(server, log, http_port, h2c_port=h2c_port)
    agent = start_agent(hugin, {"HUGIN_OPEN_PORT": str(h2c_port), "HUGIN_TRACE_PRINTER": "json",
                                "HUGIN_PROMETHEUS_PORT": str(prom)})
    try:
        agent.wait_line(r"watching pid", where="err")
        time.sleep(0.3)
        for q in ("/a?size=10", "/b?status=404", "/c?size=70000"):
            r = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                                "--http2-prior-knowledge", f"http://127.0.0.1:{h2c_port}{q}"],
                               capture_output=True, text=True, timeout=10)
            assert r.stdout in ("200", "404")
        spans = wait_spans(agent, 3, timeout=10)
        text = scrape(prom)
    finally:
        agent.stop()
        fixture.stop()
    h2 = sorted((s for s in spans if s["protocol"] == "http2"), key=lambda s: s["start_ns"])
    assert [(s["method"], s["path"], s["status"], s["response_body_bytes"]) for s in h2] == [
        ("GET", "/a", 200, 10), ("GET", "/b", 404, 0), ("GET", "/c", 200, 70000)]
    assert all(s["grpc_status"] == -1 for s in h2)
    assert metric_value(text, "http_server_request_duration_seconds_count", http_request_method="GET",
                        http_response_status_code="404") == 1.0


def test_late_attach_never_reports_a_wrong_field(hugin, server, tmp_path):
    """The caller's gRPC channel exists before the agent: grpc-go's HPACK encoder indexes :path
    in its dynamic table, so after the attach the path may be unknown (empty); it must never be
    another method's path, and statuses must be right or unknown (-1)."""
    callee_log, caller_log = tmp_path / "callee.jsonl", tmp_path / "caller.jsonl"
    grpc_port, callee_http, caller_http = free_port(), free_port(), free_port()
    callee = start_go(server, callee_log, callee_http, grpc_port=grpc_port)
    caller = start_go(server, caller_log, caller_http)
    target = f"grpc://127.0.0.1:{grpc_port}"
    try:
        for _ in range(3):  # the channel and both HPACK tables exist before the agent
            assert call(caller_http, target) == 200
            assert call(caller_http, target + "/Stream", call_count=2) == 200
        agent = start_agent(hugin, {"HUGIN_OPEN_PORT": str(grpc_port), "HUGIN_TRACE_PRINTER": "json"})
        try:
            agent.wait_line(r"watching pid", where="err")
            time.sleep(0.3)
            plan = [("", 0), ("/Stream", 0), ("", 5), ("", 0)] * 3
            for suffix, code in plan:
                call(caller_http, target + suffix, call_code=code, call_count=2)
            spans = wait_spans(agent, len(plan), timeout=5)
        finally:
            agent.stop()
    finally:
        caller.stop()
        callee.stop()
    grpc = [s for s in spans if s["protocol"] == "grpc" and s["kind"] == "server"]
    truth = log_lines(callee_log, "grpc")[-len(plan):]
    assert len(grpc) <= len(plan)
    paths = {t["path"] for t in truth}
    for s in grpc:
        assert s["path"] in paths | {""}, s
        assert s["grpc_status"] in (0, 5, -1), s
    by_time = sorted(grpc, key=lambda s: s["start_ns"])
    for s in by_time:
        t = next(t for t in truth if s["start_ns"] <= t["start_ns"] <= s["end_ns"])
        if s["path"]:
            assert s["path"] == t["path"], (s, t)
        if s["grpc_status"] != -1:
            assert s["grpc_status"] == t["status"], (s, t)
