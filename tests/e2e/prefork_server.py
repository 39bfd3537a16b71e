"""A pre-forked HTTP/1.1 server in plain Python: one listening socket, N worker
processes accepting on it (the classic Unicorn/Gunicorn/Apache model).
Usage: prefork_server.py PORT WORKERS. Prints "ready" when every worker runs."""
import http.server
import os
import signal
import socket
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        body = f"pid {os.getpid()}\n".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def main():
    port, workers = int(sys.argv[1]), int(sys.argv[2])
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(128)
    children = []
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:
            srv = http.server.HTTPServer(("127.0.0.1", port), Handler, bind_and_activate=False)
            srv.socket.close()
            srv.socket = sock
            signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
            srv.serve_forever()
        children.append(pid)
    print("ready", flush=True)

    def stop(*_):
        for c in children:
            os.kill(c, signal.SIGTERM)
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    while True:
        signal.pause()


if __name__ == "__main__":
    main()
