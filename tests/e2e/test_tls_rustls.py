"""A TLS stack Hugin cannot read (rustls, in the Rust fixture) is said, counted and never
turned into made-up spans: one stderr line per executable, hugin_tls_unsupported{library=
"rustls"} per watched process, every TLS connection counted as without plaintext, and no
span, parse error or capture-off from the ciphertext."""
import http.client
import ssl
import time

from harness import free_port, make_cert, metric_value, scrape, start_agent, start_fixture


def test_rustls_is_reported_unsupported_and_counted_not_parsed(hugin, fixture_paths, tmp_path):
    cert, key = make_cert(str(tmp_path))
    port, prom = free_port(), free_port()
    srv = start_fixture(fixture_paths["rust"], port, tls=(cert, key))
    agent = start_agent(hugin, {"HUGIN_OPEN_PORT": str(port), "HUGIN_TRACE_PRINTER": "json",
                                "HUGIN_PROMETHEUS_PORT": str(prom)})
    try:
        agent.wait_line(r"uses rustls, which Hugin cannot read", where="err")
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        for i in range(4):  # one connection per request, closed
            c = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=10)
            c.request("GET", f"/r{i}")
            r = c.getresponse()
            r.read()
            assert r.status == 200
            c.close()
        deadline = time.monotonic() + 10
        while True:
            text = scrape(prom)
            closed = metric_value(text, "hugin_tls_connections_without_plaintext_total")
            if closed == 4 or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert metric_value(text, "hugin_tls_unsupported", library="rustls") == 1
        assert closed == 4
        assert metric_value(text, "hugin_tls_connections_total") == 4
        assert metric_value(text, "hugin_spans_total") == 0
        assert metric_value(text, "hugin_parse_errors_total") == 0
        assert metric_value(text, "hugin_capture_off_connections_total") == 0
        assert metric_value(text, "hugin_tls_calls_total") == 0
    finally:
        agent.stop()
        srv.stop()
    assert sum("uses rustls" in l for l in agent.err) == 1, "said once per executable"
    assert not [l for l in agent.out if l.startswith("{") and '"type"' not in l], "no span"
