"""A small HTTP/1.1 server for the TLS end-to-end tests (keep-alive, pipelining), plain and/or
over Python's ssl module. It does not use http.server: that module imports http.client, which
imports ssl, and the late-import case needs a process without libssl mapped until asked.

Usage: tls_server.py [--http-port P] [--https-port Q --cert C --key K] [--late]
  GET /any?status=N  answers N (default 200) with the body "ok\\n", keep-alive unless
                     the request says "Connection: close".
  --late             the HTTPS listener (and `import ssl`) only comes when the plain port
                     receives GET /start-tls; prints "tls ready" then.
Prints "ready" on stdout once its first listener is up; exits on SIGTERM.
"""
import argparse
import signal
import socket
import socketserver
import sys
import threading
import urllib.parse

ARGS = None


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        while True:
            line = self.rfile.readline(65537)
            if not line:
                return
            if line in (b"\r\n", b"\n"):
                continue
            method, target, _ = line.decode("latin-1").split(" ", 2)
            headers = {}
            while True:
                h = self.rfile.readline(65537)
                if h in (b"\r\n", b"\n", b""):
                    break
                k, v = h.decode("latin-1").split(":", 1)
                headers[k.strip().lower()] = v.strip()
            n = int(headers.get("content-length", "0"))
            if n:
                self.rfile.read(n)
            url = urllib.parse.urlsplit(target)
            q = urllib.parse.parse_qs(url.query)
            status = int(q.get("status", ["200"])[0])
            if url.path == "/start-tls":
                start_tls()
            body = b"ok\n"
            close = headers.get("connection", "").lower() == "close"
            self.wfile.write(b"HTTP/1.1 %d X\r\nContent-Length: %d\r\n%s\r\n" %
                             (status, len(body), b"Connection: close\r\n" if close else b"") + body)
            self.wfile.flush()
            if close:
                return


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
    tls_context = None

    def get_request(self):
        sock, addr = super().get_request()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.tls_context is not None:
            sock = self.tls_context.wrap_socket(sock, server_side=True)
        return sock, addr


_tls_lock = threading.Lock()
_tls_started = False


def start_tls():
    global _tls_started
    with _tls_lock:
        if _tls_started:
            return
        _tls_started = True
        import ssl  # noqa: late on purpose: maps libssl.so now
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(ARGS.cert, ARGS.key)
        s = Server(("127.0.0.1", ARGS.https_port), Handler)
        s.tls_context = ctx
        threading.Thread(target=s.serve_forever, daemon=True).start()
        print("tls ready", flush=True)


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--http-port", type=int)
    ap.add_argument("--https-port", type=int)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--late", action="store_true")
    ARGS = ap.parse_args()
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    if ARGS.http_port:
        s = Server(("127.0.0.1", ARGS.http_port), Handler)
        threading.Thread(target=s.serve_forever, daemon=True).start()
    if ARGS.https_port and not ARGS.late:
        start_tls()
    print("ready", flush=True)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    sys.exit(0)


if __name__ == "__main__":
    main()
