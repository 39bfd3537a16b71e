"""Bounded memory (issue 12): the agent in its default configuration under a connection flood
and a slow sender. Its memory (PSS of its two processes, summed; sampled during and after)
stays under a stated bound, the
eviction counters say what was given up, and the spans of normal traffic alongside are exact.
Durations: the flood ~1-2 min, the slow sender ~50 s (pytest --durations shows them)."""
import http.client
import os
import socket
import subprocess
import sys
import threading
import time

from harness import (child_pids, free_port, json_lines, metric_value, scrape, start_agent,
                     start_fixture)

# The bound the issue sets, on the default configuration at 10,000 open connections; and the one
# this test states for the flood of 100,000 short connections on top of them, and the slow sender
# (README "Memory" has the measured figures: the two processes of the privilege split hold ~5 MB
# of private memory each, libraries and heaps, where one process held it once).
TEN_K_BOUND_KB = 32 * 1024
RSS_BOUND_KB = 40 * 1024
EVICTION_KINDS = ("connection", "in_flight_request", "header_bytes", "pending_pairing")

# Opens N connections, sends one request on each, reads the answer, then holds them (idle
# keep-alive) until stdin closes. Prints "held" once all are open.
HOLDER = r"""
import socket, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
socks = []
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /idle HTTP/1.1\r\nHost: x\r\n\r\n")
    buf = b""
    while b"\r\n\r\n" not in buf:
        buf += s.recv(4096)
    socks.append(s)
print("held", flush=True)
sys.stdin.read()
"""

# N short connections: connect, one request with Connection: close, read to EOF, close.
SHORT = r"""
import socket, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /short HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    while s.recv(65536):
        pass
    s.close()
"""


def pss_kb(pid):
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            if line.startswith("Pss:"):
                return int(line.split()[1])
    raise AssertionError(f"no Pss in /proc/{pid}/smaps_rollup")


def agent_footprint_kb(pid):
    """The agent's memory: the privileged process and its parsing process (README "Privileges"),
    PSS summed, so pages the two share (libraries, the ring buffer) count once."""
    pids = {pid} | child_pids(pid)
    assert len(pids) == 2, f"expected the agent and its parsing process, got {pids}"
    return sum(pss_kb(p) for p in pids)


class RssSampler:
    def __init__(self, pid, every_s=0.25):
        self.pid, self.every_s, self.samples = pid, every_s, []
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()

    def _run(self):
        while not self._stop.is_set():
            self.samples.append(agent_footprint_kb(self.pid))
            time.sleep(self.every_s)

    def stop(self):
        self._stop.set()
        self._t.join()
        return max(self.samples)


class NormalTraffic:
    """One request every `every_s` on fresh keep-alive connections, each with its own path."""

    def __init__(self, port, every_s):
        self.port, self.every_s, self.sent = port, every_s, []
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()

    def _run(self):
        i = 0
        while not self._stop.is_set():
            c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            for _ in range(2):  # two on each connection: keep-alive reuse too
                path, status = f"/normal/{i}", 200 + i % 5
                c.request("GET", f"{path}?status={status}")
                r = c.getresponse()
                r.read()
                assert r.status == status
                self.sent.append((path, status))
                i += 1
            c.close()
            time.sleep(self.every_s)

    def stop(self):
        self._stop.set()
        self._t.join()
        return self.sent


def assert_normal_spans_exact(agent, sent):
    deadline = time.monotonic() + 10
    while True:
        spans = [s for s in json_lines(agent) if "type" not in s and s["path"].startswith("/normal/")]
        if len(spans) >= len(sent) or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    got = sorted((s["path"], s["status"]) for s in spans)
    assert got == sorted(sent), f"{len(got)} normal spans for {len(sent)} requests"


def evictions(text):
    return {k: metric_value(text, "hugin_evictions_total", what=k) for k in EVICTION_KINDS}


def test_flood_of_short_and_idle_connections_keeps_rss_bounded(hugin, server, tmp_path):
    port, prom = free_port(), free_port()
    fixture = start_fixture(server, port)
    agent = start_agent(hugin, {"HUGIN_OPEN_PORT": str(port), "HUGIN_PROMETHEUS_PORT": str(prom),
                                "HUGIN_TRACE_PRINTER": "json"})
    holders = []
    try:
        agent.wait_line(rf"watching pid {fixture.p.pid}\b", where="err")
        rss = RssSampler(agent.p.pid)
        normal = NormalTraffic(port, 0.2)
        # 10,000 idle keep-alive connections (two holders: a process may hold 20,000 fds here).
        for _ in range(2):
            holders.append(subprocess.Popen([sys.executable, "-c", HOLDER, str(port), "5000"],
                                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True))
        for h in holders:
            assert h.stdout.readline().strip() == "held"
        time.sleep(2)
        text = scrape(prom)
        assert metric_value(text, "hugin_tracked_connections") >= 10000
        at_10k = agent_footprint_kb(agent.p.pid)
        assert at_10k <= TEN_K_BOUND_KB, f"agent PSS at 10,000 connections: {at_10k} kB"
        # 100,000 short connections, four clients at once, while the idle ones stay open.
        shorts = [subprocess.Popen([sys.executable, "-c", SHORT, str(port), "25000"])
                  for _ in range(4)]
        for s in shorts:
            assert s.wait(timeout=600) == 0
        sent = normal.stop()
        time.sleep(2)
        during = max(rss.samples)
        for h in holders:
            h.stdin.close()
            h.wait(timeout=30)
        time.sleep(2)
        peak = rss.stop()
        text = scrape(prom)
        assert peak <= RSS_BOUND_KB, f"agent PSS peaked at {peak} kB (during the flood {during})"
        # Within every bound: nothing to give up.
        assert evictions(text) == {k: 0 for k in EVICTION_KINDS}
        assert metric_value(text, "hugin_pending_pairings") == 0
        assert metric_value(text, "hugin_tracked_connections") < 100
        short_spans = [s for s in json_lines(agent) if "type" not in s and s["path"] == "/short"]
        assert len(short_spans) == 100000
        assert_normal_spans_exact(agent, sent)
        print(f"flood: agent PSS at 10,000 connections {at_10k} kB, peak {peak} kB, {len(rss.samples)} samples")
    finally:
        for h in holders:
            h.kill()
        agent.stop()
        fixture.stop()


def test_slow_sender_header_is_evicted_and_counted(hugin, server):
    port, prom = free_port(), free_port()
    fixture = start_fixture(server, port)
    agent = start_agent(hugin, {"HUGIN_OPEN_PORT": str(port), "HUGIN_PROMETHEUS_PORT": str(prom),
                                "HUGIN_TRACE_PRINTER": "json"})
    try:
        agent.wait_line(rf"watching pid {fixture.p.pid}\b", where="err")
        rss = RssSampler(agent.p.pid)
        normal = NormalTraffic(port, 0.25)
        # A header line that never ends, one byte per call (~1 ms apart) for 45 s: ~30 KB, past
        # the default 16 KiB bound.
        s = socket.create_connection(("127.0.0.1", port))
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.sendall(b"GET /slow HTTP/1.1\r\nHost: x\r\nX-Never-Ends: ")
        end, dribbled = time.monotonic() + 45, 0
        while time.monotonic() < end:
            s.sendall(b"a")
            dribbled += 1
            time.sleep(0.001)
        s.close()
        assert dribbled > 16 * 1024 + 1024, f"only {dribbled} bytes dribbled: the bound was not reached"
        sent = normal.stop()
        time.sleep(1)
        peak = rss.stop()
        text = scrape(prom)
        ev = evictions(text)
        assert ev["header_bytes"] >= 1, ev
        assert ev["connection"] == ev["in_flight_request"] == ev["pending_pairing"] == 0, ev
        assert peak <= RSS_BOUND_KB, f"agent PSS peaked at {peak} kB"
        assert not [x for x in json_lines(agent) if x.get("path") == "/slow"]
        assert_normal_spans_exact(agent, sent)
        print(f"slow sender: agent PSS peak {peak} kB, header_bytes evictions {ev['header_bytes']}")
    finally:
        agent.stop()
        fixture.stop()
