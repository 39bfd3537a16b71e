"""Processes for the end-to-end tests: a fixture service and the hugin agent."""
import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
import sys
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), "..", "common"))
from procs import child_pids, free_port  # noqa: E402,F401  (re-exported to the tests)

# Multiplies every wait below: 1 on real hardware; tests/vm/run sets more under QEMU's TCG,
# where loading the BPF object alone takes tens of seconds.
TIMEOUT_SCALE = float(os.environ.get("HUGIN_TEST_TIMEOUT_SCALE", "1"))

# What a sanitizer-built agent (bazel test --config=asan or tsan; README "Sanitizers") writes to
# its stderr when it finds a fault; conftest.py fails the test that started such an agent.
SANITIZER_REPORT = re.compile(r"(ERROR|WARNING): (Address|Leak|Thread|UndefinedBehavior)Sanitizer"
                              r"|: runtime error: ")
AGENTS = []  # every Proc named "hugin" since the current test began


class Proc:
    """A child process whose stdout/stderr lines are collected by threads."""

    def __init__(self, argv, env=None, name="proc"):
        self.name = name
        self.out, self.err = [], []
        if name == "hugin":
            AGENTS.append(self)
        self.p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  env=env, text=True, start_new_session=True)
        self._threads = [threading.Thread(target=self._pump, args=(self.p.stdout, self.out), daemon=True),
                         threading.Thread(target=self._pump, args=(self.p.stderr, self.err), daemon=True)]
        for t in self._threads:
            t.start()

    @staticmethod
    def _pump(stream, sink):
        for line in stream:
            sink.append(line.rstrip("\n"))

    def wait_line(self, pattern, where="out", timeout=15.0):
        lines = self.out if where == "out" else self.err
        rx = re.compile(pattern)
        timeout *= TIMEOUT_SCALE
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for l in list(lines):
                if rx.search(l):
                    return l
            if self.p.poll() is not None:
                time.sleep(0.2)  # let the pumps finish
                for l in list(lines):
                    if rx.search(l):
                        return l
                raise AssertionError(f"{self.name} exited ({self.p.returncode}) before /{pattern}/;"
                                     f" stderr: {self.err[-10:]}")
            time.sleep(0.02)
        raise AssertionError(f"{self.name}: no /{pattern}/ within {timeout}s; stderr: {self.err[-10:]}")

    def stop(self, sig=signal.SIGTERM, timeout=10.0):
        if self.p.poll() is None:
            self.p.send_signal(sig)
        try:
            return self.p.wait(timeout * TIMEOUT_SCALE)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
            raise AssertionError(f"{self.name} did not exit within {timeout}s of {sig}")
        finally:
            for t in self._threads:
                t.join(2)


def sanitizer_report(proc):
    """The stderr lines from the first sanitizer report on, or None."""
    for i, line in enumerate(proc.err):
        if SANITIZER_REPORT.search(line):
            return proc.err[i:]
    return None


def start_fixture(server, port, access_log=None, tls=None):
    """tls: (cert, key) paths, to serve HTTPS on the HTTP port (see make_cert)."""
    argv = [server, "--http-port", str(port)]
    if access_log:
        argv += ["--access-log", str(access_log)]
    if tls:
        argv += ["--tls-cert", str(tls[0]), "--tls-key", str(tls[1])]
    f = Proc(argv, name="fixture")
    f.wait_line(r"^ready$")
    return f


def make_cert(directory):
    """A throw-away self-signed ECDSA certificate for localhost/127.0.0.1 (what
    fixtures/certs/gen.sh makes): returns (cert, key) paths in `directory`."""
    cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1",
                    "-keyout", key, "-out", cert], check=True, capture_output=True, timeout=30)
    return cert, key


def curl(*args):
    """curl's status code for one request (0 when it failed)."""
    r = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", *args],
                       capture_output=True, text=True, timeout=30)
    return int(r.stdout or 0)


def agent_env(env_extra=None):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("HUGIN_", "BEYLA_", "OPEN_PORT", "EXECUTABLE_NAME", "PRINT_TRACES"))}
    env.update(env_extra or {})
    return env


def start_agent(hugin, env_extra=None, args=(), wrapper=()):
    """wrapper: argv put before the agent's (e.g. setpriv with a capability set)."""
    a = Proc([*wrapper, hugin, *args], env=agent_env(env_extra), name="hugin")
    a.wait_line(r"hugin: ready", where="err")
    return a


def settled_spans(agent, n, kind=None, timeout=15.0):
    """The spans once n are there, and a little longer (a duplicate would show up)."""
    wait_spans(agent, n, timeout=timeout, kind=kind)
    time.sleep(0.5)
    return wait_spans(agent, n, timeout=0, kind=kind)


def wait_until(cond, what, timeout=10.0):
    """Waits for cond() to be true; fails the test naming `what` (a string, or a function giving
    one at the time of failure, for values worth seeing) if it never is."""
    deadline = time.monotonic() + timeout * TIMEOUT_SCALE
    while not cond():
        if time.monotonic() > deadline:
            detail = what() if callable(what) else what
            raise AssertionError(f"not within {timeout * TIMEOUT_SCALE:.0f}s: {detail}")
        time.sleep(0.05)


def watched_pids(agent):
    """The pids the agent said it watches ("hugin: watching pid N (...)"), minus those gone."""
    pids = set()
    for l in list(agent.err):
        m = re.search(r"hugin: watching pid (\d+)", l)
        if m:
            pids.add(int(m.group(1)))
        m = re.search(r"hugin: pid (\d+) is gone", l)
        if m:
            pids.discard(int(m.group(1)))
    return pids


NGINX_CONF = """
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
    listen 127.0.0.1:{port}{ssl};
    location /missing {{ return 404; }}
    location /teapot {{ return 418 "short and stout"; }}
    location / {{ return 200 "hello from nginx"; }}
  }}
}}
"""


def start_nginx(dir, port, cert=None):
    """Debian's nginx, master + 2 pre-forked workers, serving /, /missing (404) and /teapot (418)
    on `port`, over TLS when `cert` = (cert, key) is given. Returns the master's Popen once the
    port accepts connections and both workers exist."""
    ssl = f" ssl;\n    ssl_certificate {cert[0]};\n    ssl_certificate_key {cert[1]}" if cert else ""
    conf = os.path.join(dir, "nginx.conf")
    with open(conf, "w") as f:
        f.write(NGINX_CONF.format(dir=dir, port=port, ssl=ssl))
    nginx = subprocess.Popen(["nginx", "-c", conf], stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, start_new_session=True)

    def accepting():
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            return False
    try:
        wait_until(lambda: nginx.poll() is not None or accepting(), f"nginx accepting on :{port}")
        assert nginx.poll() is None, f"nginx exited: {nginx.stderr.read().decode()}"
        wait_until(lambda: len(child_pids(nginx.pid)) == 2, "nginx's 2 workers")
    except BaseException:
        stop_nginx(nginx)
        raise
    return nginx


def stop_nginx(nginx):
    os.killpg(nginx.pid, signal.SIGTERM)
    nginx.wait(10)


def json_lines(agent):
    """Every JSON object on the agent's stdout: spans (no "type" key), loss and gap reports."""
    return [json.loads(l) for l in list(agent.out) if l.startswith("{")]


def wait_spans(agent, n, timeout=10.0, kind=None):
    """Waits for at least n JSON spans (of `kind`, if given) on the agent's stdout."""
    deadline = time.monotonic() + timeout * TIMEOUT_SCALE
    while True:
        spans = [s for s in json_lines(agent) if "type" not in s]
        if kind:
            spans = [s for s in spans if s["kind"] == kind]
        if len(spans) >= n or time.monotonic() > deadline:
            return spans
        time.sleep(0.05)


def scrape(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
        return r.read().decode()


def metric_value(text, name, **labels):
    """Sum of the samples of `name` whose labels include `labels`."""
    total, found = 0.0, False
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        m = re.match(r'^([a-zA-Z_:][\w:]*)(\{(.*)\})?\s+(\S+)$', line)
        if not m or m.group(1) != name:
            continue
        got = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(3) or ""))
        if all(got.get(k) == str(v) for k, v in labels.items()):
            total += float(m.group(4))
            found = True
    return total if found else None


def get(url, data=None, method=None):
    req = urllib.request.Request(url, data=data, method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def agent_program_ids(pid):
    """IDs of the BPF programs a process holds, from /proc/PID/fdinfo (prog_id lines)."""
    ids = []
    for fd in os.listdir(f"/proc/{pid}/fdinfo"):
        try:
            with open(f"/proc/{pid}/fdinfo/{fd}") as f:
                for line in f:
                    if line.startswith("prog_id:"):
                        ids.append(int(line.split()[1]))
        except OSError:
            pass
    return sorted(set(ids))


def programs_still_loaded(ids, grace_s=2.0):
    """Which of `ids` the kernel still lists after up to `grace_s`: a BTF tracing program is
    freed after an RCU grace period, so it can outlive its detached link by ~100 ms."""
    deadline = time.time() + grace_s
    while True:
        out = subprocess.run(["bpftool", "prog", "show", "-j"], capture_output=True, text=True).stdout
        left = {p["id"] for p in json.loads(out)} & set(ids)
        if not left or time.time() > deadline:
            return left
        time.sleep(0.05)


def announced_program_counts(agent):
    """(N, X, Y) of the agent's 'hugin: ready: N BPF programs loaded (X attached on
    tracepoints, Y for TLS library uprobes; data path: P)' line."""
    for line in agent.err:
        m = re.search(r"hugin: ready: (\d+) BPF programs loaded \((\d+) attached on "
                      r"tracepoints, (\d+) for TLS library uprobes; data path: (?:sockets|syscalls)\)",
                      line)
        if m:
            return tuple(int(g) for g in m.groups())
    raise AssertionError(f"no ready line in {agent.err}")


def announced_program_count(agent):
    """N (every program loaded) of the agent's ready line."""
    return announced_program_counts(agent)[0]
