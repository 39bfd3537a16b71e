"""Every fixture language (Go, Node, Python, Rust): each stack reaches the kernel through other
syscalls (write vs writev vs sendto, read vs recvfrom), so each must give exactly one span per
request, with the fields the service's own ground-truth log records."""
import http.client
import json
import time

from harness import free_port, start_agent, start_fixture, wait_spans

REQUESTS = [  # method, path+query, body, status, response bytes
    ("GET", "/a", b"", 200, 0),
    ("GET", "/b?size=1000", b"", 200, 1000),
    ("POST", "/c?status=201", b"x" * 300, 201, 0),
    ("PUT", "/d?status=404&size=10", b"hello", 404, 10),
    ("GET", "/e?size=100000", b"", 200, 100000),   # many writes; far beyond the capture size
    ("DELETE", "/f?status=500", b"", 500, 0),
]


def test_every_request_is_one_span_matching_ground_truth(hugin, fixture_server, tmp_path):
    lang, path = fixture_server
    port = free_port()
    log = tmp_path / "access.jsonl"
    fixture = start_fixture(path, port, log)
    agent = start_agent(hugin, {"HUGIN_OPEN_PORT": str(port), "HUGIN_TRACE_PRINTER": "json"})
    try:
        agent.wait_line(r"watching pid", where="err")
        sent = 0
        for keepalive in (True, False):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            for method, url, body, status, size in REQUESTS:
                headers = {} if keepalive else {"Connection": "close"}
                conn.request(method, url, body=body or None, headers=headers)
                r = conn.getresponse()
                assert len(r.read()) == size
                assert r.status == status
                sent += 1
                if not keepalive:
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.close()
        spans = wait_spans(agent, sent, timeout=15)
        time.sleep(0.3)
        spans = wait_spans(agent, sent)
        assert len(spans) == sent, f"{lang}: {len(spans)} spans for {sent} requests"
        fixture.stop()  # flushes the ground-truth log
        truth = [json.loads(l) for l in log.read_text().splitlines() if l.strip()]
        assert len(truth) == sent
        got = sorted((s["method"], s["path"], s["status"], s["request_body_bytes"],
                      s["response_body_bytes"]) for s in spans)
        want = sorted((t["method"], t["path"], t["status"], t["req_bytes"], t["resp_bytes"])
                      for t in truth)
        assert got == want, lang
        for s in spans:
            assert s["kind"] == "server" and s["local"]["port"] == port
            assert 0 < s["processing_ns"] <= s["duration_ns"] < 5e9
    finally:
        agent.stop()
        fixture.stop()
