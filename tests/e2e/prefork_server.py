"""A pre-forked HTTP/1.1 server in plain Python: one listening socket, N worker
processes accepting on it (the classic Unicorn/Gunicorn/Apache model).
Usage: prefork_server.py PORT WORKERS. Prints "ready" when every worker runs.
SIGUSR1 forks one more worker (a replacement worker, as Gunicorn or nginx fork
one) and prints "worker PID"."""
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

    def fork_worker():
        pid = os.fork()
        if pid == 0:
            srv = http.server.HTTPServer(("127.0.0.1", port), Handler, bind_and_activate=False)
            srv.socket.close()
            srv.socket = sock
            signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
            signal.signal(signal.SIGUSR1, signal.SIG_IGN)
            srv.serve_forever()
        children.append(pid)
        return pid

    def stop(*_):
        for c in children:
            try:
                os.kill(c, signal.SIGTERM)
            except ProcessLookupError:
                pass
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGUSR1, lambda *_: print(f"worker {fork_worker()}", flush=True))
    for _ in range(workers):
        fork_worker()
    print("ready", flush=True)
    while True:
        signal.pause()
        try:  # reap workers that exited
            while os.waitpid(-1, os.WNOHANG)[0] > 0:
                pass
        except ChildProcessError:
            pass


if __name__ == "__main__":
    main()
