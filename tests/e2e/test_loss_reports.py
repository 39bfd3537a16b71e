"""Loss the agent reports, and loss it is told to plant: the json printer's "loss" and "gap"
lines under a forced ring buffer overflow, and HUGIN_FAULT."""
import http.client
import os
import signal
import time

import pytest

from harness import (free_port, json_lines, metric_value, scrape, start_agent, start_fixture,
                     wait_spans, wait_until)


@pytest.fixture
def svc(server, tmp_path):
    port = free_port()
    f = start_fixture(server, port)
    yield port, f
    f.stop()


def request(port, path, keep=None):
    """One GET on its own connection (or on `keep`); returns (status, client port)."""
    c = keep or http.client.HTTPConnection("127.0.0.1", port)
    c.request("GET", path, headers={} if keep else {"Connection": "close"})
    client_port = c.sock.getsockname()[1]
    r = c.getresponse()
    r.read()
    if not keep:
        c.close()
    return r.status, client_port


def test_overflow_is_reported_per_connection_in_its_time_window(hugin, svc):
    port, fixture = svc
    prom = free_port()
    agent = start_agent(hugin, {"HUGIN_OPEN_PORT": str(port), "HUGIN_TRACE_PRINTER": "json",
                                "HUGIN_PROMETHEUS_PORT": str(prom), "HUGIN_RINGBUF_BYTES": "64K"})
    try:
        agent.wait_line(rf"watching pid {fixture.p.pid}\b", where="err")
        # With the agent stopped nothing reads the 64 KiB ring: it fills, the rest is lost.
        os.killpg(agent.p.pid, signal.SIGSTOP)  # both agent processes
        t0 = time.monotonic_ns()  # CLOCK_MONOTONIC, the clock of the kernel's timestamps
        clients = {}  # client port -> path
        for i in range(300):
            status, client_port = request(port, f"/o/{i}?size=2000")
            assert status == 200
            clients[client_port] = f"/o/{i}"
        time.sleep(0.3)  # the server's last close() calls
        t1 = time.monotonic_ns()
        os.killpg(agent.p.pid, signal.SIGCONT)

        def loss_lines():
            return [l for l in json_lines(agent) if l.get("type") == "loss"]

        def reported():
            return sum(l["ingress_records"] + l["egress_records"] + l["control_records"]
                       for l in loss_lines())
        drops = metric_value(scrape(prom), "hugin_kernel_drops_total", reason="ringbuf_full")
        assert drops > 0, "the ring buffer did not overflow"
        wait_until(lambda: reported() == drops,
                   lambda: f"loss lines covering every drop: {reported()} reported, {drops} dropped")
        # The counters are published after the lines are written: wait for them too.
        wait_until(lambda: metric_value(scrape(prom), "hugin_conn_loss_reports_total")
                   == len(loss_lines()), "hugin_conn_loss_reports_total equal to the loss lines")
        text = scrape(prom)
    finally:
        os.killpg(agent.p.pid, signal.SIGCONT)
        agent.stop()  # and so every record and loss report is out
    assert metric_value(text, "hugin_kernel_drops_total", reason="ringbuf_full") == drops
    assert metric_value(text, "hugin_conn_loss_map_full_total") == 0
    assert reported() == drops, "every drop is in exactly one loss line"
    lines = json_lines(agent)
    losses = [l for l in lines if l.get("type") == "loss"]
    assert metric_value(text, "hugin_conn_loss_reports_total") == len(losses), "none after"
    for l in losses:
        assert l["pid"] == fixture.p.pid
        assert l["local_port"] == port
        assert l["peer_port"] in clients, l
        assert t0 <= l["generation"] <= l["first_ns"] <= l["last_ns"] <= t1, (t0, l, t1)
    # Every request without a span lost something on its own connection.
    seen = {l["path"] for l in lines if "type" not in l}
    lost_on = {l["peer_port"] for l in losses}
    assert len(clients) == 300 and 0 < len(seen) < 300, len(seen)
    assert not [p for cp, p in clients.items() if p not in seen and cp not in lost_on]
    for g in (l for l in lines if l.get("type") == "gap"):
        assert g["pid"] == fixture.p.pid and g["bytes"] > 0
        assert g["direction"] in ("ingress", "egress")
        assert g["after_ns"] <= g["before_ns"]


def test_loss_inside_a_keepalive_connection_is_a_gap_of_the_same_bytes(hugin, svc):
    port, fixture = svc
    agent = start_agent(hugin, {"HUGIN_OPEN_PORT": str(port), "HUGIN_TRACE_PRINTER": "json",
                                "HUGIN_RINGBUF_BYTES": "64K"})
    try:
        agent.wait_line(rf"watching pid {fixture.p.pid}\b", where="err")
        conn = http.client.HTTPConnection("127.0.0.1", port)
        assert request(port, "/k/first", keep=conn)[0] == 200
        os.killpg(agent.p.pid, signal.SIGSTOP)  # both agent processes
        for i in range(200):
            assert request(port, f"/k/{i}?size=2000", keep=conn)[0] == 200
        os.killpg(agent.p.pid, signal.SIGCONT)
        time.sleep(0.5)  # the agent reads what fit in the ring
        # The next records of both directions show how far the stream moved meanwhile.
        status, client_port = request(port, "/k/last", keep=conn)
        assert status == 200
        wait_until(lambda: len([l for l in json_lines(agent) if l.get("type") == "gap"]) >= 2,
                   "two gap lines (one per direction)")
        conn.close()
    finally:
        os.killpg(agent.p.pid, signal.SIGCONT)
        agent.stop()
    lines = json_lines(agent)
    losses = [l for l in lines if l.get("type") == "loss" and l["peer_port"] == client_port]
    gaps = [l for l in lines if l.get("type") == "gap" and l["peer_port"] == client_port]
    assert losses and gaps
    assert {g["direction"] for g in gaps} == {"ingress", "egress"}
    for g in gaps:
        assert (g["pid"], g["local_port"]) == (fixture.p.pid, port)
        assert (g["fd"], g["generation"]) == (losses[0]["fd"], losses[0]["generation"])
    # The kernel's count of lost bytes and the stream positions agree.
    assert sum(g["bytes"] for g in gaps) == sum(l["bytes"] for l in losses)
    assert min(g["after_ns"] for g in gaps) <= min(l["first_ns"] for l in losses)
    assert max(l["last_ns"] for l in losses) <= max(g["before_ns"] for g in gaps)


def test_planted_faults_drop_and_swap_spans_and_are_owned_up_to_at_exit(hugin, svc):
    port, fixture = svc
    prom = free_port()
    agent = start_agent(hugin, {"HUGIN_OPEN_PORT": str(port), "HUGIN_TRACE_PRINTER": "json",
                                "HUGIN_PROMETHEUS_PORT": str(prom),
                                "HUGIN_FAULT": "drop_span:3,swap_status:2"})
    try:
        agent.wait_line(rf"watching pid {fixture.p.pid}\b", where="err")
        conn = http.client.HTTPConnection("127.0.0.1", port)
        for i in range(12):
            assert request(port, f"/f/{i}", keep=conn)[0] == 200
        conn.close()
        wait_until(lambda: len(wait_spans(agent, 0)) >= 8, "8 spans")
        time.sleep(0.3)
        spans = wait_spans(agent, 0)
        # Finished spans 3, 6, 9, 12 are dropped; of the 8 exported, every 2nd says 500.
        assert [s["path"] for s in spans] == [f"/f/{i}" for i in range(12) if (i + 1) % 3]
        assert [s["status"] for s in spans] == [200, 500] * 4
        text = scrape(prom)
        assert metric_value(text, "hugin_spans_total") == 8
        assert metric_value(text, "http_server_request_duration_seconds_count",
                            http_response_status_code=500) == 4
    finally:
        agent.stop()
    assert "hugin: fault injection planted drop_span=4 swap_status=4" in agent.err, agent.err
