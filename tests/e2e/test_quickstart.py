"""The Beyla quick-start, with hugin: a service, the agent pointed at it, curl,
trace lines and RED metrics. Everything is real: BPF, processes, sockets."""
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest

from harness import (Proc, agent_program_ids, announced_program_counts, child_pids, curl, free_port,
                     get, metric_value, programs_still_loaded, scrape, settled_spans, start_agent,
                     start_fixture, wait_spans, wait_until, watched_pids)

HERE = os.path.dirname(os.path.realpath(__file__))


@pytest.fixture
def svc(server, tmp_path):
    port = free_port()
    f = start_fixture(server, port, tmp_path / "access.jsonl")
    yield port, f, tmp_path / "access.jsonl"
    f.stop()


def test_post_curls_by_open_port_with_beyla_variables(hugin, svc):
    port, fixture, _ = svc
    prom = free_port()
    agent = start_agent(hugin, {"OPEN_PORT": str(port), "BEYLA_PROMETHEUS_PORT": str(prom),
                                "BEYLA_TRACE_PRINTER": "json"})
    try:
        agent.wait_line(rf"watching pid {fixture.p.pid}\b", where="err")
        base = f"http://localhost:{port}"
        assert curl(f"{base}/hello") == 200
        assert curl(f"{base}/bye") == 200
        assert curl("-d", "abcdef", f"{base}/post?delay=200ms") == 200
        assert curl(f"{base}/nf?status=404") == 404
        assert curl(f"{base}/err?status=500") == 500
        spans = wait_spans(agent, 5)
        assert len(spans) == 5, spans
        want = [("GET", "/hello", 200, 0), ("GET", "/bye", 200, 0), ("POST", "/post", 200, 6),
                ("GET", "/nf", 404, 0), ("GET", "/err", 500, 0)]
        for s, (method, path, status, req_bytes) in zip(spans, want):
            assert (s["kind"], s["method"], s["path"], s["status"], s["request_body_bytes"]) == \
                ("server", method, path, status, req_bytes), s
            assert s["response_body_bytes"] == 0
            assert s["local"]["port"] == port
            assert s["peer"]["ip"] in ("127.0.0.1", "::1")
            assert s["pid"] == fixture.p.pid
            assert s["service_name"] == "server"
            assert 0 < s["duration_ns"] < 5e9
            assert s["processing_ns"] <= s["duration_ns"]
        post = spans[2]
        assert post["duration_ns"] >= 200e6, "delay=200ms must show in the duration"
        assert post["duration_ns"] < 1e9

        text = scrape(prom)
        def count(method, status):
            return metric_value(text, "http_server_request_duration_seconds_count",
                                http_request_method=method, http_response_status_code=status,
                                server_port=port)
        assert count("GET", 200) == 2
        assert count("POST", 200) == 1
        assert count("GET", 404) == 1
        assert count("GET", 500) == 1
        slow = metric_value(text, "http_server_request_duration_seconds_bucket",
                            http_request_method="POST", le="0.1")
        assert slow == 0, "the 200ms POST must not land in the 0.1s bucket"
        assert metric_value(text, "http_server_request_body_size_bytes_sum",
                            http_request_method="POST") == 6
        assert metric_value(text, "hugin_spans_total") == 5
        assert metric_value(text, "hugin_watched_pids") == 1
        assert metric_value(text, "hugin_kernel_drops_total", reason="ringbuf_full") == 0
        check = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True,
                               text=True)
        assert check.returncode == 0, check.stdout + check.stderr
    finally:
        assert agent.stop() == 0


def test_text_trace_printer_line_format(hugin, svc):
    port, fixture, _ = svc
    agent = start_agent(hugin, {"OPEN_PORT": str(port), "PRINT_TRACES": "true"})
    try:
        agent.wait_line(r"watching pid", where="err")
        assert curl(f"http://127.0.0.1:{port}/hello") == 200
        line = agent.wait_line(r"GET /hello")
        # 2023-04-19 13:49:04 (15.22ms[689.9µs]) 200 GET /hello [::1]->[localhost:8080] size:0B
        rx = (r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \([\d.]+(ns|µs|ms|s)\[[\d.]+(ns|µs|ms|s)\]\) "
              rf"200 GET /hello \[127\.0\.0\.1\]:?\d*->\[127\.0\.0\.1:{port}\] size:0B$")
        assert re.match(rx, line), line
    finally:
        agent.stop()


def test_thousand_keepalive_requests_give_exactly_thousand_spans(hugin, svc):
    port, fixture, log = svc
    agent = start_agent(hugin, {"HUGIN_OPEN_PORT": str(port), "HUGIN_TRACE_PRINTER": "json"})
    try:
        agent.wait_line(r"watching pid", where="err")
        conn = http.client.HTTPConnection("127.0.0.1", port)
        for i in range(1000):
            conn.request("GET", f"/ka/{i}?size={i % 7}")
            r = conn.getresponse()
            r.read()
            assert r.status == 200
        conn.close()
        spans = wait_spans(agent, 1000, timeout=20)
        time.sleep(0.5)
        spans = wait_spans(agent, 1000)
        assert len(spans) == 1000
        assert [s["path"] for s in spans] == [f"/ka/{i}" for i in range(1000)]
        assert [s["response_body_bytes"] for s in spans] == [i % 7 for i in range(1000)]
        assert len({s["peer"]["port"] for s in spans}) == 1, "one keep-alive connection"
    finally:
        agent.stop()


def test_by_executable_name_and_outbound_client_spans(hugin, svc):
    port, fixture, _ = svc
    exe = os.path.realpath(f"/proc/{fixture.p.pid}/exe")
    agent = start_agent(hugin, {"EXECUTABLE_NAME": re.escape(exe) + "$", "BEYLA_PRINT_TRACES": "false",
                                "HUGIN_TRACE_PRINTER": "json"})
    try:
        agent.wait_line(rf"watching pid {fixture.p.pid}\b", where="err")
        down = f"http://127.0.0.1:{port}/downstream?status=201"
        assert curl(f"http://127.0.0.1:{port}/up?call={down}") == 201
        spans = wait_spans(agent, 3)
        kinds = sorted((s["kind"], s["path"], s["status"]) for s in spans)
        assert kinds == [("client", "/downstream", 201), ("server", "/downstream", 201),
                         ("server", "/up", 201)], spans
        client = next(s for s in spans if s["kind"] == "client")
        assert client["peer"]["port"] == port
        assert client["pid"] == fixture.p.pid
        up = next(s for s in spans if s["path"] == "/up")
        assert up["start_ns"] <= client["start_ns"] and client["end_ns"] <= up["end_ns"]
    finally:
        agent.stop()


def test_curl_as_selected_executable_gives_client_spans(hugin, svc):
    port, fixture, _ = svc
    agent = start_agent(hugin, {"HUGIN_EXECUTABLE_NAME": "/curl$", "HUGIN_TRACE_PRINTER": "json"},
                        args=["--discovery-interval-ms", "20"])
    try:
        # The first request may be over before discovery sees curl; with --rate the later
        # ones on the same keep-alive connection are seen whole.
        url = f"http://127.0.0.1:{port}/c"
        c = subprocess.Popen(["curl", "-s", "--rate", "4/s", "-o", "/dev/null", "-o", "/dev/null",
                              "-o", "/dev/null", url + "1", url + "2", url + "3"])
        assert c.wait(timeout=30) == 0
        # Only this curl's spans: any other curl on the machine is selected too.
        mine = lambda: [s for s in wait_spans(agent, 0, kind="client") if s["pid"] == c.pid]
        wait_until(lambda: {"/c2", "/c3"} <= {s["path"] for s in mine()},  # /c1 may be missed
                   lambda: f"client spans of /c2 and /c3: {mine()}")
        for s in mine():
            assert s["status"] == 200 and s["peer"]["port"] == port
    finally:
        agent.stop()


def test_preforked_python_server(hugin, tmp_path):
    port = free_port()
    srv = Proc([sys.executable, os.path.join(HERE, "prefork_server.py"), str(port), "3"], name="prefork")
    srv.wait_line("^ready$")
    agent = start_agent(hugin, {"OPEN_PORT": str(port), "HUGIN_TRACE_PRINTER": "json"})
    try:
        workers = child_pids(srv.p.pid)
        assert len(workers) == 3, workers
        # The parent and its 3 forked workers hold the listening socket: all four are watched.
        expected = workers | {srv.p.pid}
        wait_until(lambda: watched_pids(agent) == expected,
                   lambda: f"watched {sorted(watched_pids(agent))}, want {sorted(expected)}: {agent.err}")
        # A worker serves one keep-alive connection until it closes (HTTPServer handles one at a
        # time), so three connections held open at once are served by three different workers:
        # the spread over workers is certain, not left to the kernel's choice of accepter.
        conns = []
        for i in range(3):
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            for j in range(10):
                c.request("GET", f"/w/{i}/{j}")
                r = c.getresponse()
                assert r.status == 200
                body = r.read().decode()
            conns.append((c, int(body.split()[1])))  # "pid N": the worker that served it
        served_by = [pid for _, pid in conns]
        assert set(served_by) == workers, served_by
        for c, _ in conns:
            c.close()
        spans = settled_spans(agent, 30)
        assert len(spans) == 30
        assert sorted(s["path"] for s in spans) == sorted(f"/w/{i}/{j}" for i in range(3) for j in range(10))
        assert all(s["service_name"].startswith("python") for s in spans)
        # Each span names the worker that served its connection: spans come from all 3 workers.
        for s in spans:
            assert s["pid"] == served_by[int(s["path"].split("/")[2])], s
        assert {s["pid"] for s in spans} == workers
    finally:
        agent.stop()
        srv.stop()


def test_worker_forked_while_watched_is_picked_up(hugin):
    """A pre-forked server replaces its workers: the new worker inherits the listening socket
    (no new listener appears) and must be watched, the old ones dropped."""
    port = free_port()
    srv = Proc([sys.executable, os.path.join(HERE, "prefork_server.py"), str(port), "2"], name="prefork")
    srv.wait_line("^ready$")
    agent = start_agent(hugin, {"OPEN_PORT": str(port), "HUGIN_TRACE_PRINTER": "json"},
                        args=["--discovery-interval-ms", "100"])
    try:
        old_workers = child_pids(srv.p.pid)
        assert len(old_workers) == 2, old_workers
        wait_until(lambda: watched_pids(agent) == old_workers | {srv.p.pid},
                   lambda: f"watched {sorted(watched_pids(agent))}: {agent.err}")
        os.kill(srv.p.pid, signal.SIGUSR1)
        new_worker = int(srv.wait_line(r"^worker \d+$").split()[1])
        wait_until(lambda: new_worker in watched_pids(agent), f"new worker {new_worker} watched",
                   timeout=5)
        for pid in old_workers:  # only the new worker accepts from now on
            os.kill(pid, signal.SIGTERM)
        wait_until(lambda: watched_pids(agent) == {srv.p.pid, new_worker},
                   lambda: f"old workers dropped: watched {sorted(watched_pids(agent))}", timeout=5)
        for i in range(5):
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", f"/new/{i}", headers={"Connection": "close"})
            r = c.getresponse()
            assert r.status == 200 and r.read() == f"pid {new_worker}\n".encode()
            c.close()
        spans = wait_spans(agent, 5)
        assert sorted(s["path"] for s in spans) == [f"/new/{i}" for i in range(5)]
        assert {s["pid"] for s in spans} == {new_worker}
    finally:
        agent.stop()
        srv.stop()


def test_sigterm_detaches_every_program(hugin, svc):
    port, _, _ = svc
    agent = start_agent(hugin, {"OPEN_PORT": str(port)})
    mine = agent_program_ids(agent.p.pid)
    loaded = {p["id"]: p for p in json.loads(subprocess.run(
        ["bpftool", "prog", "show", "-j"], capture_output=True, text=True).stdout)}
    assert set(mine) <= set(loaded)
    # The TLS uprobe programs (kprobe type) are loaded at start and attached per library file
    # or executable later; the split must be what was announced (a uretprobe is a uprobe).
    total, tracepoints, uprobes = announced_program_counts(agent)
    assert len(mine) == total, "every program it loaded is visible"
    assert len([i for i in mine if loaded[i]["type"] != "kprobe"]) == tracepoints
    assert len([i for i in mine if loaded[i]["type"] == "kprobe"]) == uprobes
    assert agent.stop(sig=15) == 0
    assert any("detached" in l for l in agent.err)
    left = programs_still_loaded(mine)
    assert not left, f"programs left behind after SIGTERM: {left}"


@pytest.mark.parametrize("env,args", [
    ({}, []),
    ({"OPEN_PORT": "99999"}, []),
    ({"OPEN_PORT": "80-70"}, []),
    ({"EXECUTABLE_NAME": "(unclosed"}, []),
    ({"OPEN_PORT": "8080", "BEYLA_TRACE_PRINTER": "fancy"}, []),
    ({"OPEN_PORT": "8080"}, ["--no-such-flag"]),
    ({"OPEN_PORT": "8080", "HUGIN_FAULT": "drop_span:0"}, []),
    ({"OPEN_PORT": "8080", "HUGIN_FAULT": "swap_status:x"}, []),
    ({"OPEN_PORT": "8080", "HUGIN_FAULT": "explode:3"}, []),
])
def test_bad_configuration_is_one_clear_line_and_exit_2(hugin, env, args):
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("HUGIN_", "BEYLA_"))}, **env}
    r = subprocess.run([hugin, *args], env=env, capture_output=True, text=True, timeout=10)
    assert r.returncode == 2, r
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hugin: "), r.stderr


def test_not_root_is_one_clear_line_and_exit_1(hugin):
    r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", hugin,
                        "--open-port", "8080"], capture_output=True, text=True, timeout=10)
    assert r.returncode == 1, r
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "root" in lines[0], r.stderr
