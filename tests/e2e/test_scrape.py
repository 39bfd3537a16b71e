"""A scrape of /metrics counts every exchange answered before it began, even when the agent's
loop sleeps: an idle parsing loop waits up to a second for the ring buffer (the kernel wakes it
only when records pile up), so a scrape asks the loop to drain the ring first
(core/agent/drain_gate.h). The kernel's HTTP/1 aggregation is turned off here, so every
exchange goes through the ring; there is no wait between a request and its scrape."""
import http.client
import time

from harness import free_port, metric_value, scrape, start_agent, start_fixture

COUNT = "http_server_request_duration_seconds_count"


def test_scrape_counts_what_was_answered_before_it(hugin, server, tmp_path):
    port = free_port()
    fixture = start_fixture(server, port, tmp_path / "access.jsonl")
    prom = free_port()
    agent = start_agent(hugin, {"HUGIN_OPEN_PORT": str(port), "HUGIN_PROMETHEUS_PORT": str(prom),
                                "HUGIN_KERNEL_METRICS": "false"})
    try:
        agent.wait_line("turned off", where="err")
        assert (metric_value(scrape(prom), COUNT) or 0) == 0
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        for i in range(1, 7):
            # Idle long enough for the loop's wait to reach its longest (1 s) before a request.
            time.sleep(1.5 if i % 2 else 0.05)
            c.request("GET", f"/r{i}?size=10")
            r = c.getresponse()
            r.read()
            assert r.status == 200
            assert metric_value(scrape(prom), COUNT) == i, f"request {i} not in the scrape after it"
        c.close()
    finally:
        assert agent.stop() == 0
        fixture.stop()
