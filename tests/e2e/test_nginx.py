"""A real third-party server: Debian's nginx, master + 2 pre-forked workers, C, epoll,
recv/writev, keep-alive. Hugin must see it with no cooperation at all."""
import http.client
import os
import subprocess
import time

from harness import free_port, start_agent, wait_spans

CONF = """
daemon off;
master_process on;
worker_processes 2;
pid {dir}/nginx.pid;
error_log {dir}/error.log;
events {{ worker_connections 64; }}
http {{
  access_log off;
  client_body_temp_path {dir}/body;
  proxy_temp_path {dir}/proxy;
  fastcgi_temp_path {dir}/fastcgi;
  uwsgi_temp_path {dir}/uwsgi;
  scgi_temp_path {dir}/scgi;
  server {{
    listen 127.0.0.1:{port};
    location /missing {{ return 404; }}
    location /teapot {{ return 418 "short and stout"; }}
    location / {{ return 200 "hello from nginx"; }}
  }}
}}
"""


def test_nginx_master_and_workers(hugin, tmp_path):
    port = free_port()
    conf = tmp_path / "nginx.conf"
    conf.write_text(CONF.format(dir=tmp_path, port=port))
    nginx = subprocess.Popen(["nginx", "-c", str(conf)], stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("HEAD", "/")
                break
            except OSError:
                time.sleep(0.05)
        agent = start_agent(hugin, {"OPEN_PORT": str(port), "HUGIN_TRACE_PRINTER": "json"})
        try:
            for _ in range(3):  # master + 2 workers hold the listening socket
                agent.wait_line(r"watching pid", where="err")
            deadline = time.monotonic() + 5
            while sum("watching pid" in l for l in agent.err) < 3 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert sum("watching pid" in l for l in agent.err) == 3, agent.err
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
            spans = wait_spans(agent, len(want))
            time.sleep(0.3)
            spans = wait_spans(agent, len(want))
            got = sorted((s["method"], s["path"], s["status"], s["response_body_bytes"]) for s in spans)
            assert got == sorted(want)
            assert all(s["service_name"] == "nginx" for s in spans)
        finally:
            agent.stop()
    finally:
        os.killpg(nginx.pid, 15)
        nginx.wait(10)
