"""The privilege split: the parsing process (the agent's child) runs as nobody with no
capabilities and no_new_privs, holds the ring buffer, serves /metrics, and spans still arrive."""
import os
import subprocess
import sys
import time

from harness import curl, free_port, scrape, start_agent, wait_spans, Proc


def status(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            out[k] = v.split()
    return out


def children(pid):
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        return [int(p) for p in f.read().split()]


def test_parsing_process_is_unprivileged_and_does_the_parsing(hugin):
    port, prom = free_port(), free_port()
    srv = Proc([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"], name="srv")
    time.sleep(0.5)
    agent = start_agent(hugin,
                        {"OPEN_PORT": str(port), "HUGIN_TRACE_PRINTER": "json",
                         "HUGIN_PROMETHEUS_PORT": str(prom)})
    try:
        kids = children(agent.p.pid)
        assert len(kids) == 1, kids
        child = kids[0]
        st = status(child)
        assert st["Uid"] != ["0"] * 4 and "0" not in st["Uid"], st["Uid"]
        for cap in ("CapEff", "CapPrm", "CapInh", "CapAmb"):
            assert int(st[cap][0], 16) == 0, (cap, st[cap])
        assert st["NoNewPrivs"] == ["1"]
        # The child holds the ring buffer (a ringbuf map fd) and the /metrics listener.
        fdinfo = "".join(open(f"/proc/{child}/fdinfo/{fd}").read()
                         for fd in os.listdir(f"/proc/{child}/fdinfo"))
        assert "map_type:\t27" in fdinfo, "no ring buffer map fd in the child"
        assert "prog_id:" not in fdinfo, "the child holds BPF programs"
        ino = {os.readlink(f"/proc/{child}/fd/{fd}") for fd in os.listdir(f"/proc/{child}/fd")}
        listen = [l.split() for l in open("/proc/net/tcp").read().splitlines()[1:]]
        prom_inodes = {f"socket:[{l[9]}]" for l in listen if int(l[1].split(":")[1], 16) == prom and l[3] == "0A"}
        assert prom_inodes & ino, "the child does not hold the /metrics listener"
        assert curl(f"http://127.0.0.1:{port}/privsep") in (200, 404)
        spans = wait_spans(agent, 1)
        assert any(s.get("path") == "/privsep" for s in spans), spans
        assert "hugin_spans_total" in scrape(prom)
    finally:
        assert agent.stop() == 0
        srv.stop()
    assert any("detached" in l for l in agent.err)
