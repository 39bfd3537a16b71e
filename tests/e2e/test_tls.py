"""HTTPS without keys: the agent reads TLS plaintext through uprobes on OpenSSL's SSL_read and
SSL_write (libssl.so mapped by the process, or OpenSSL linked into the executable: Node).
Real servers and clients (Python's ssl, curl, nginx, Node), real BPF; every request must be
exactly one span, marked "tls": true."""
import http.client
import json
import os
import re
import socket
import ssl
import subprocess
import sys
import time
import urllib.parse
from collections import Counter

import pytest

from harness import (Proc, agent_program_ids, child_pids, curl, free_port, make_cert, metric_value,
                     programs_still_loaded, scrape, settled_spans, start_agent, start_fixture,
                     start_nginx, stop_nginx, wait_spans, wait_until, watched_pids)

HERE = os.path.dirname(os.path.realpath(__file__))
TLS_SERVER = os.path.join(HERE, "tls_server.py")


@pytest.fixture
def cert(tmp_path):
    return make_cert(str(tmp_path))


def fixture_for(fixture_paths, lang):
    if lang not in fixture_paths:
        pytest.skip(f"no --fixture {lang}=PATH given")
    return fixture_paths[lang]


def unverified():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def wait_tls_notice(agent, pattern=r"libssl\.so", timeout=10.0):
    """The agent's 'pid N: TLS plaintext from PATH (OpenSSL, 8 uprobes)' line; it is printed
    once per library file (the probes are per file, shared by every watched process)."""
    return agent.wait_line(rf"hugin: pid \d+: TLS plaintext from \S*{pattern}\S* \(OpenSSL, 8 uprobes\)",
                           where="err", timeout=timeout)


def read_truth(log):
    return [json.loads(l) for l in log.read_text().splitlines() if l.strip()]


def start_tls_server(*args):
    s = Proc([sys.executable, TLS_SERVER, *args], name="tls_server")
    s.wait_line("^ready$")
    return s


# --- servers ---------------------------------------------------------------------------------

def test_python_https_server_counts_by_status_with_curl(hugin, fixture_paths, cert, tmp_path):
    port, prom = free_port(), free_port()
    log = tmp_path / "access.jsonl"
    fixture = start_fixture(fixture_for(fixture_paths, "python"), port, log, tls=cert)
    agent = start_agent(hugin, {"HUGIN_OPEN_PORT": str(port), "HUGIN_TRACE_PRINTER": "json",
                                "HUGIN_PROMETHEUS_PORT": str(prom)})
    try:
        agent.wait_line(rf"watching pid {fixture.p.pid}\b", where="err")
        wait_tls_notice(agent)
        base = f"https://127.0.0.1:{port}"
        for i in range(7):
            assert curl("-k", f"{base}/ok/{i}") == 200
        for i in range(3):
            assert curl("-k", f"{base}/nf/{i}?status=404") == 404
        spans = settled_spans(agent, 10)
        got = sorted((s["kind"], s["method"], s["path"], s["status"], s.get("tls")) for s in spans)
        want = sorted([("server", "GET", f"/ok/{i}", 200, True) for i in range(7)] +
                      [("server", "GET", f"/nf/{i}", 404, True) for i in range(3)])
        assert got == want, spans
        for s in spans:
            assert s["local"]["port"] == port and s["pid"] == fixture.p.pid
            assert 0 < s["processing_ns"] <= s["duration_ns"] < 5e9

        text = scrape(prom)
        def count(status):
            return metric_value(text, "http_server_request_duration_seconds_count",
                                http_request_method="GET", http_response_status_code=status,
                                server_port=port)
        assert (count(200), count(404)) == (7, 3), text
        assert metric_value(text, "hugin_spans_total") == 10
        assert metric_value(text, "hugin_tls_connections_total") == 10, "one per curl"
        assert metric_value(text, "hugin_tls_connections_without_plaintext_total") == 0
        assert metric_value(text, "hugin_kernel_drops_total", reason="tls_no_connection") == 0
        assert metric_value(text, "hugin_tls_calls_total") > 0

        fixture.stop()
        truth = read_truth(log)
        assert sorted((t["proto"], t["path"], t["status"]) for t in truth) == \
            sorted(("https", p, st) for _, _, p, st, _ in want)
    finally:
        agent.stop()
        fixture.stop()


REQUESTS = [  # method, path+query, body, status, response bytes (as test_languages)
    ("GET", "/a", b"", 200, 0),
    ("GET", "/b?size=1000", b"", 200, 1000),
    ("POST", "/c?status=201", b"x" * 300, 201, 0),
    ("PUT", "/d?status=404&size=10", b"hello", 404, 10),
    ("GET", "/e?size=100000", b"", 200, 100000),  # many SSL_write records
    ("DELETE", "/f?status=500", b"", 500, 0),
]


@pytest.mark.parametrize("lang", ["python", "node"])
def test_fixture_https_server_every_request_one_span(hugin, fixture_paths, cert, tmp_path, lang):
    """Python (libssl.so) and Node (OpenSSL in the executable, memory BIOs), keep-alive and
    one connection per request, against the fixture's ground-truth log."""
    port = free_port()
    log = tmp_path / "access.jsonl"
    fixture = start_fixture(fixture_for(fixture_paths, lang), port, log, tls=cert)
    agent = start_agent(hugin, {"HUGIN_OPEN_PORT": str(port), "HUGIN_TRACE_PRINTER": "json"})
    try:
        agent.wait_line(rf"watching pid {fixture.p.pid}\b", where="err")
        wait_tls_notice(agent, r"libssl\.so" if lang == "python" else r"/node")
        sent = 0
        for keepalive in (True, False):
            conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=10, context=unverified())
            for method, url, body, status, size in REQUESTS:
                headers = {} if keepalive else {"Connection": "close"}
                conn.request(method, url, body=body or None, headers=headers)
                r = conn.getresponse()
                assert (r.status, len(r.read())) == (status, size)
                sent += 1
                if not keepalive:
                    conn.close()
                    conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=10,
                                                       context=unverified())
            conn.close()
        spans = settled_spans(agent, sent)
        assert len(spans) == sent, spans
        fixture.stop()
        truth = read_truth(log)
        assert len(truth) == sent and all(t["proto"] == "https" for t in truth)
        got = sorted((s["method"], s["path"], s["status"], s["request_body_bytes"],
                      s["response_body_bytes"], s.get("tls")) for s in spans)
        want = sorted((t["method"], t["path"], t["status"], t["req_bytes"], t["resp_bytes"], True)
                      for t in truth)
        assert got == want
        assert all(s["kind"] == "server" and s["local"]["port"] == port for s in spans)
    finally:
        agent.stop()
        fixture.stop()


def test_nginx_ssl_master_and_workers(hugin, cert, tmp_path):
    port = free_port()
    nginx = start_nginx(str(tmp_path), port, cert=cert)
    try:
        agent = start_agent(hugin, {"OPEN_PORT": str(port), "HUGIN_TRACE_PRINTER": "json"})
        try:
            want_pids = {nginx.pid} | child_pids(nginx.pid)
            wait_until(lambda: watched_pids(agent) == want_pids,
                       f"the agent watching nginx's pids {sorted(want_pids)}")
            wait_tls_notice(agent)
            want = []
            for i in range(20):
                c = http.client.HTTPSConnection("127.0.0.1", port, timeout=5, context=unverified())
                for path, status, body in (("/x%d" % i, 200, b"hello from nginx"),
                                           ("/missing", 404, None), ("/teapot", 418, b"short and stout")):
                    c.request("GET", path)
                    r = c.getresponse()
                    data = r.read()
                    assert r.status == status
                    if body is not None:
                        assert data == body
                    want.append(("GET", path, status, len(data), True))
                c.close()
            spans = settled_spans(agent, len(want))
            got = sorted((s["method"], s["path"], s["status"], s["response_body_bytes"], s.get("tls"))
                         for s in spans)
            assert got == sorted(want)
            assert all(s["service_name"] == "nginx" for s in spans)
            assert {s["pid"] for s in spans} <= want_pids - {nginx.pid}, spans[:3]
        finally:
            agent.stop()
    finally:
        stop_nginx(nginx)


def test_pipelined_requests_on_one_tls_connection(hugin, cert):
    port = free_port()
    srv = start_tls_server("--https-port", str(port), "--cert", cert[0], "--key", cert[1])
    agent = start_agent(hugin, {"HUGIN_OPEN_PORT": str(port), "HUGIN_TRACE_PRINTER": "json"})
    try:
        agent.wait_line(rf"watching pid {srv.p.pid}\b", where="err")
        wait_tls_notice(agent)
        raw = socket.create_connection(("127.0.0.1", port), timeout=10)
        with unverified().wrap_socket(raw, server_hostname="localhost") as s:
            s.sendall(b"".join(b"GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % p
                               for p in (b"/p1", b"/p2?status=404", b"/p3")))
            data = b""
            while data.count(b"ok\n") < 3:
                chunk = s.recv(65536)
                assert chunk, data
                data += chunk
        assert data.count(b"HTTP/1.1 ") == 3
        spans = settled_spans(agent, 3)
        assert [(s["path"], s["status"], s.get("tls")) for s in spans] == \
            [("/p1", 200, True), ("/p2", 404, True), ("/p3", 200, True)], spans
        assert len({s["peer"]["port"] for s in spans}) == 1
    finally:
        agent.stop()
        srv.stop()


def test_late_import_ssl_is_found_by_the_rescan(hugin, cert):
    """The process is watched before it maps libssl.so: the next discovery pass finds it."""
    plain, tls_port = free_port(), free_port()
    srv = start_tls_server("--http-port", str(plain), "--https-port", str(tls_port),
                           "--cert", cert[0], "--key", cert[1], "--late")
    agent = start_agent(hugin, {"HUGIN_OPEN_PORT": f"{plain},{tls_port}",
                                "HUGIN_TRACE_PRINTER": "json"},
                        args=["--discovery-interval-ms", "200"])
    try:
        agent.wait_line(rf"watching pid {srv.p.pid}\b", where="err")
        with open(f"/proc/{srv.p.pid}/maps") as f:
            assert "libssl" not in f.read(), "ssl must not be imported yet"
        assert not any("TLS plaintext" in l for l in agent.err), agent.err
        conn = http.client.HTTPConnection("127.0.0.1", plain, timeout=5)
        conn.request("GET", "/plain")
        assert conn.getresponse().read() == b"ok\n"
        conn.request("GET", "/start-tls")
        assert conn.getresponse().read() == b"ok\n"
        conn.close()
        srv.wait_line("^tls ready$")
        wait_tls_notice(agent, timeout=5)
        conn = http.client.HTTPSConnection("127.0.0.1", tls_port, timeout=5, context=unverified())
        for i in range(3):
            conn.request("GET", f"/s{i}?status={200 + i}")
            r = conn.getresponse()
            assert (r.status, r.read()) == (200 + i, b"ok\n")
        conn.close()
        spans = settled_spans(agent, 5)
        got = [(s["path"], s["status"], bool(s.get("tls"))) for s in spans]
        assert got == [("/plain", 200, False), ("/start-tls", 200, False),
                       ("/s0", 200, True), ("/s1", 201, True), ("/s2", 202, True)], spans
    finally:
        agent.stop()
        srv.stop()


def test_tls_server_started_after_the_agent(hugin, fixture_paths, cert, tmp_path):
    port = free_port()
    agent = start_agent(hugin, {"HUGIN_OPEN_PORT": str(port), "HUGIN_TRACE_PRINTER": "json"},
                        args=["--discovery-interval-ms", "200"])
    fixture = None
    try:
        fixture = start_fixture(fixture_for(fixture_paths, "python"), port, tmp_path / "a.jsonl",
                                tls=cert)
        agent.wait_line(rf"watching pid {fixture.p.pid}\b", where="err", timeout=5)
        wait_tls_notice(agent, timeout=5)
        for i in range(5):
            assert curl("-k", f"https://127.0.0.1:{port}/late/{i}?status={201 + i}") == 201 + i
        spans = settled_spans(agent, 5)
        got = sorted((s["kind"], s["path"], s["status"], s.get("tls")) for s in spans)
        assert got == [("server", f"/late/{i}", 201 + i, True) for i in range(5)], spans
    finally:
        agent.stop()
        if fixture:
            fixture.stop()


# --- clients ---------------------------------------------------------------------------------

def test_curl_as_selected_executable_gives_tls_client_spans(hugin, cert):
    port = free_port()
    srv = start_tls_server("--https-port", str(port), "--cert", cert[0], "--key", cert[1])
    agent = start_agent(hugin, {"HUGIN_EXECUTABLE_NAME": "/curl$", "HUGIN_TRACE_PRINTER": "json"},
                        args=["--discovery-interval-ms", "20"])
    try:
        # As the plain-HTTP curl test: the first request may be over before discovery sees curl
        # (and attaches to its libssl); the later ones on the same connection are seen whole.
        url = f"https://127.0.0.1:{port}/c"
        r = subprocess.run(["curl", "-sk", "--rate", "4/s", "-o", "/dev/null", "-o", "/dev/null",
                            "-o", "/dev/null", url + "1", url + "2?status=404", url + "3"], timeout=30)
        assert r.returncode == 0
        deadline = time.monotonic() + 10
        while True:
            spans = wait_spans(agent, 0, kind="client")
            paths = [s["path"] for s in spans]
            if ("/c2" in paths and "/c3" in paths) or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        time.sleep(0.3)
        spans = wait_spans(agent, 0)
        assert wait_tls_notice(agent, timeout=0.1)
        got = sorted((s["kind"], s["path"], s["status"], s.get("tls")) for s in spans)
        want = [("client", "/c1", 200, True), ("client", "/c2", 404, True), ("client", "/c3", 200, True)]
        assert got in (want, want[1:]), spans
        for s in spans:
            assert s["peer"]["port"] == port
    finally:
        agent.stop()
        srv.stop()


@pytest.mark.parametrize("lang", ["python", "node"])
def test_fixture_https_client_gives_tls_client_span(hugin, fixture_paths, cert, tmp_path, lang):
    """The fixture's call=https://... (urllib over ssl; Node's https.get) from a plain-HTTP
    handler: one server span (plain) and one client span (tls) per request."""
    port, callee_port = free_port(), free_port()
    callee = start_tls_server("--https-port", str(callee_port), "--cert", cert[0], "--key", cert[1])
    fixture = start_fixture(fixture_for(fixture_paths, lang), port, tmp_path / "a.jsonl")
    agent = start_agent(hugin, {"HUGIN_OPEN_PORT": str(port), "HUGIN_TRACE_PRINTER": "json"})
    try:
        agent.wait_line(rf"watching pid {fixture.p.pid}\b", where="err")
        wait_tls_notice(agent, r"libssl\.so" if lang == "python" else r"/node")
        want = []
        for i, status in enumerate((201, 404, 200)):
            down = f"https://127.0.0.1:{callee_port}/down{i}?status={status}"
            assert curl(f"http://127.0.0.1:{port}/up{i}?call={urllib.parse.quote(down, safe='')}") == status
            want += [("server", f"/up{i}", status, False), ("client", f"/down{i}", status, True)]
        spans = settled_spans(agent, len(want))
        got = sorted((s["kind"], s["path"], s["status"], bool(s.get("tls"))) for s in spans)
        assert got == sorted(want), spans
        for c in (s for s in spans if s["kind"] == "client"):
            assert c["peer"]["port"] == callee_port and c["pid"] == fixture.p.pid
            up = next(s for s in spans if s["path"] == c["path"].replace("down", "up"))
            assert up["start_ns"] <= c["start_ns"] and c["end_ns"] <= up["end_ns"]
    finally:
        agent.stop()
        fixture.stop()
        callee.stop()


# --- detaching -------------------------------------------------------------------------------

def agent_link_ids(pid):
    ids = set()
    for fd in os.listdir(f"/proc/{pid}/fdinfo"):
        try:
            with open(f"/proc/{pid}/fdinfo/{fd}") as f:
                for line in f:
                    if line.startswith("link_id:"):
                        ids.add(int(line.split()[1]))
        except OSError:
            pass
    return ids


def perf_uprobes():
    """bpftool perf show: every uprobe/uretprobe with a BPF program, kernel-wide."""
    out = subprocess.run(["bpftool", "perf", "show", "-j"], capture_output=True, text=True,
                         check=True).stdout
    return [p for p in json.loads(out or "[]") if p.get("fd_type") in ("uprobe", "uretprobe")]


def uprobe_events():
    try:
        with open("/sys/kernel/tracing/uprobe_events") as f:
            return f.read().splitlines()
    except OSError:
        return []


def test_sigterm_leaves_no_uprobe(hugin, fixture_paths, cert, tmp_path):
    port = free_port()
    events_before = uprobe_events()
    fixture = start_fixture(fixture_for(fixture_paths, "python"), port, tmp_path / "a.jsonl", tls=cert)
    agent = start_agent(hugin, {"HUGIN_OPEN_PORT": str(port), "HUGIN_TRACE_PRINTER": "json"})
    try:
        agent.wait_line(rf"watching pid {fixture.p.pid}\b", where="err")
        notice = wait_tls_notice(agent)
        lib = re.search(r"TLS plaintext from (\S+)", notice).group(1)
        assert curl("-k", f"https://127.0.0.1:{port}/x") == 200
        assert len(settled_spans(agent, 1)) == 1
        progs = agent_program_ids(agent.p.pid)
        links = agent_link_ids(agent.p.pid)
        mine = [p for p in perf_uprobes() if p["pid"] == agent.p.pid]
        assert len(mine) == 8, mine
        assert {os.path.realpath(p["filename"]) for p in mine} == {os.path.realpath(lib)}
        assert sorted(p["fd_type"] for p in mine) == ["uprobe"] * 4 + ["uretprobe"] * 4
        assert {p["prog_id"] for p in mine} <= set(progs)
    finally:
        assert agent.stop() == 0
        fixture.stop()
    assert not programs_still_loaded(progs), "programs left behind after SIGTERM"
    left = [p for p in perf_uprobes() if p["prog_id"] in progs or p["pid"] == agent.p.pid]
    assert not left, f"uprobes left behind after SIGTERM: {left}"
    out = subprocess.run(["bpftool", "link", "show", "-j"], capture_output=True, text=True,
                         check=True).stdout
    assert not ({l["id"] for l in json.loads(out or "[]")} & links), "links left behind"
    assert uprobe_events() == events_before, "tracefs uprobe_events changed"


@pytest.mark.parametrize("lang", ["python", "node"])
def test_concurrent_connections_reopened_keep_their_own_spans(hugin, fixture_paths, cert, tmp_path,
                                                              lang):
    """h2load, 16 concurrent keep-alive connections, twice: the second round's sessions reuse the
    first round's freed SSL objects and fds in another order (as a load tool's warm-up then its
    run). Every span must be on its own connection: (path, peer port) as the fixture logged."""
    port = free_port()
    log = tmp_path / "access.jsonl"
    fixture = start_fixture(fixture_for(fixture_paths, lang), port, log, tls=cert)
    agent = start_agent(hugin, {"HUGIN_OPEN_PORT": str(port), "HUGIN_TRACE_PRINTER": "json"})
    try:
        agent.wait_line(rf"watching pid {fixture.p.pid}\b", where="err")
        wait_tls_notice(agent, r"libssl\.so" if lang == "python" else r"/node")
        per_round = 640
        for rnd in range(2):
            uris = tmp_path / f"uris{rnd}.txt"
            uris.write_text("".join(f"https://127.0.0.1:{port}/r{rnd}/{i}\n" for i in range(per_round)))
            r = subprocess.run(["h2load", "--h1", "-c", "16", "-n", str(per_round), "-i", str(uris)],
                               capture_output=True, text=True, timeout=60)
            assert re.search(rf"{per_round} succeeded", r.stdout), r.stdout
        spans = settled_spans(agent, 2 * per_round, timeout=20)
        fixture.stop()
        truth = read_truth(log)
        assert len(truth) == 2 * per_round
        want = sorted((t["path"], int(t["peer"].rsplit(":", 1)[1])) for t in truth)
        got = sorted((s["path"], s["peer"]["port"]) for s in spans)
        missing, extra = Counter(want) - Counter(got), Counter(got) - Counter(want)
        assert got == want, (f"{len(spans)} spans for {len(want)} requests; "
                             f"{sum(missing.values())} (path, peer port) missing, "
                             f"e.g. {sorted(missing)[:3]}; {sum(extra.values())} wrong, "
                             f"e.g. {sorted(extra)[:3]}")
        assert all(s.get("tls") for s in spans)
    finally:
        agent.stop()
        fixture.stop()
