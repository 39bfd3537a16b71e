"""A real third-party server: Debian's nginx, master + 2 pre-forked workers, C, epoll,
recv/writev, keep-alive. Hugin must see it with no cooperation at all."""
import http.client

from harness import (child_pids, free_port, settled_spans, start_agent, start_nginx, stop_nginx,
                     wait_until, watched_pids)


def test_nginx_master_and_workers(hugin, tmp_path):
    port = free_port()
    nginx = start_nginx(str(tmp_path), port)
    try:
        agent = start_agent(hugin, {"OPEN_PORT": str(port), "HUGIN_TRACE_PRINTER": "json"})
        try:
            # The master and both workers hold the listening socket: all three, and only they.
            want_pids = {nginx.pid} | child_pids(nginx.pid)
            wait_until(lambda: watched_pids(agent) == want_pids,
                       f"the agent watching nginx's pids {sorted(want_pids)}")
            want = []
            for i in range(20):
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                for path, status, body in (("/x%d" % i, 200, b"hello from nginx"),
                                           ("/missing", 404, None), ("/teapot", 418, b"short and stout")):
                    c.request("GET", path)
                    r = c.getresponse()
                    data = r.read()
                    assert r.status == status
                    if body is not None:
                        assert data == body
                    want.append(("GET", path, status, len(data)))
                c.close()
            spans = settled_spans(agent, len(want))
            got = sorted((s["method"], s["path"], s["status"], s["response_body_bytes"]) for s in spans)
            assert got == sorted(want)
            assert all(s["service_name"] == "nginx" for s in spans)
            # The workers answered: every span's pid is one of them (the master accepts nothing).
            assert {s["pid"] for s in spans} <= want_pids - {nginx.pid}, spans[:3]
        finally:
            agent.stop()
    finally:
        stop_nginx(nginx)
