"""HTTP/1 metrics aggregated in the kernel (--kernel-metrics, on when no span is produced): the
same keep-alive traffic, with the kernel aggregating and without, gives the same RED metrics;
the exchange the kernel cannot frame (a chunked request) goes through user space and is still
counted. Everything is real: BPF, the Go fixture, sockets."""
import http.client
import os

import pytest

from harness import free_port, metric_value, scrape, start_agent, start_fixture, wait_until

# (method, path, body, chunked): one keep-alive connection, in this order.
TRAFFIC = [
    ("GET", "/a?size=5", None, False),
    ("GET", "/a?size=3000", None, False),
    ("POST", "/p?delay=200ms", b"abcdef", False),
    ("GET", "/nf?status=404&size=64", None, False),
    ("POST", "/chunked", [b"abc", b"de"], True),  # not framed by the kernel: user space's
    ("HEAD", "/h?size=100", None, False),
    ("DELETE", "/d?status=204", None, False),
    ("GET", "/a?size=5", None, False),
]
SERIES = [("GET", 200), ("POST", 200), ("GET", 404), ("HEAD", 200), ("DELETE", 204)]


@pytest.fixture
def svc(server, tmp_path):
    port = free_port()
    f = start_fixture(server, port, tmp_path / "access.jsonl")
    yield port, f
    f.stop()


def drive(port):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    for method, path, body, chunked in TRAFFIC:
        headers = {"Transfer-Encoding": "chunked"} if chunked else {}
        c.request(method, path, body=iter(body) if chunked else body, headers=headers,
                  encode_chunked=chunked)
        r = c.getresponse()
        r.read()
        assert r.status in (200, 204, 404), (method, path, r.status)
    c.close()


def run(hugin, port, fixture, kernel_metrics):
    prom = free_port()
    agent = start_agent(hugin, {"HUGIN_OPEN_PORT": str(port), "HUGIN_PROMETHEUS_PORT": str(prom),
                                "HUGIN_KERNEL_METRICS": kernel_metrics})
    try:
        notice = "aggregated in the kernel" if kernel_metrics == "true" else "turned off"
        agent.wait_line(notice, where="err")
        drive(port)
        total = len(TRAFFIC)

        def counted():
            text = scrape(prom)
            n = metric_value(text, "http_server_request_duration_seconds_count") or 0
            return text if n >= total else None
        wait_until(counted, f"{total} exchanges in the metrics")
        return scrape(prom)
    finally:
        assert agent.stop() == 0


def figures(text, port):
    """What a user reads off the metrics, per series."""
    out = {}
    for method, status in SERIES:
        labels = dict(http_request_method=method, http_response_status_code=status,
                      server_port=port, service_name="server")
        out[(method, status)] = (
            metric_value(text, "http_server_request_duration_seconds_count", **labels),
            metric_value(text, "http_server_request_duration_seconds_bucket", le="0.1", **labels),
            metric_value(text, "http_server_request_body_size_bytes_sum", **labels),
            metric_value(text, "http_server_response_body_size_bytes_sum", **labels),
            metric_value(text, "http_server_response_body_size_bytes_bucket", le="4096", **labels),
        )
    return out


def test_kernel_aggregation_gives_the_metrics_user_space_gives(hugin, svc):
    port, fixture = svc
    on = run(hugin, port, fixture, "true")
    off = run(hugin, port, fixture, "false")
    assert figures(on, port) == figures(off, port)
    got = figures(on, port)
    assert got[("GET", 200)] == (3, 3, 0, 3010, 3)
    assert got[("POST", 200)][0] == 2          # the 200 ms one and the chunked one
    assert got[("POST", 200)][1] == 1, "the 200ms POST must not land in the 0.1s bucket"
    assert got[("POST", 200)][2] == 6 + 5      # Content-Length body and the chunked body
    assert got[("GET", 404)] == (1, 1, 0, 64, 1)
    assert got[("HEAD", 200)][3] == 0, "a HEAD answer has no body"
    assert got[("DELETE", 204)][0] == 1

    assert metric_value(on, "hugin_kernel_exchanges_total") == len(TRAFFIC) - 1
    assert metric_value(on, "hugin_kernel_handovers_total") == 1
    # Spans are made inside the agent for the metrics (none printed): the handed-back exchange.
    assert metric_value(on, "hugin_spans_total") == 1
    assert metric_value(off, "hugin_spans_total") == len(TRAFFIC)
    assert metric_value(off, "hugin_kernel_exchanges_total") == 0
    for text in (on, off):
        assert metric_value(text, "hugin_kernel_drops_total") == 0
        assert metric_value(text, "hugin_stream_gaps_total") == 0
        assert metric_value(text, "hugin_parse_errors_total") == 0


def test_trace_printer_turns_kernel_aggregation_off(hugin, svc):
    port, fixture = svc
    agent = start_agent(hugin, {"HUGIN_OPEN_PORT": str(port), "HUGIN_TRACE_PRINTER": "json"})
    try:
        agent.wait_line("the trace printer needs a span per request", where="err")
    finally:
        assert agent.stop() == 0
