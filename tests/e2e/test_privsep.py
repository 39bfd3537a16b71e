"""The privilege split: the parsing process (the agent's child) runs as nobody with no
capabilities and no_new_privs, holds the ring buffer, serves /metrics, and spans still arrive."""
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request

import pytest

from harness import (Proc, agent_env, child_pids, curl, free_port, make_cert, scrape, start_agent,
                     wait_spans, wait_until, watched_pids)


def status(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            out[k] = v.split()
    return out


def test_parsing_process_is_unprivileged_and_does_the_parsing(hugin):
    port, prom = free_port(), free_port()
    srv = Proc([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"], name="srv")
    time.sleep(0.5)
    agent = start_agent(hugin,
                        {"OPEN_PORT": str(port), "HUGIN_TRACE_PRINTER": "json",
                         "HUGIN_PROMETHEUS_PORT": str(prom)})
    try:
        kids = sorted(child_pids(agent.p.pid))
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


# The privileged process's minimum capability set (README "Privileges"), measured on Linux 6.18
# as a non-root uid; CAP_SYS_ADMIN (for TLS uprobes) stands for CAP_BPF and CAP_PERFMON.
MINIMAL = ["bpf", "perfmon", "dac_read_search", "sys_ptrace", "setuid", "setgid"]
WITH_TLS = ["sys_admin", "dac_read_search", "sys_ptrace", "setuid", "setgid"]
CAP_BITS = {"dac_read_search": 2, "setgid": 6, "setuid": 7, "sys_ptrace": 19, "sys_admin": 21,
            "perfmon": 38, "bpf": 39}
AGENT_UID = 4242  # no passwd entry: a uid that owns nothing
NOBODY = 65534


def setpriv(uid, caps):
    """argv prefix running a program as `uid` with exactly `caps` (ambient, so kept across exec)."""
    c = ",".join(["-all"] + ["+" + x for x in caps])
    return ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", f"--inh-caps={c}",
            f"--ambient-caps={c}", f"--bounding-set={c}"]


@pytest.fixture
def shared_dir(hugin, server):
    """The agent and the Go fixture copied where another uid can execute them (bazel-bin is
    under /root, mode 0700)."""
    d = tempfile.mkdtemp(prefix="hugin-caps-", dir="/tmp")
    os.chmod(d, 0o755)
    for src, name in ((hugin, "hugin"), (server, "server")):
        shutil.copy(src, os.path.join(d, name))
        os.chmod(os.path.join(d, name), 0o755)
    yield d
    shutil.rmtree(d)


def start_fixture_as_nobody(d, port, tls=None):
    argv = [*setpriv(NOBODY, []), os.path.join(d, "server"), "--http-port", str(port)]
    if tls:
        argv += ["--tls-cert", tls[0], "--tls-key", tls[1]]
    f = Proc(argv, name="fixture")
    f.wait_line(r"^ready$")
    return f


def test_minimal_capabilities_as_a_non_root_uid(shared_dir):
    port, prom = free_port(), free_port()
    srv = start_fixture_as_nobody(shared_dir, port)
    agent = start_agent(os.path.join(shared_dir, "hugin"),
                        {"HUGIN_OPEN_PORT": str(port), "HUGIN_TRACE_PRINTER": "json",
                         "HUGIN_PROMETHEUS_PORT": str(prom)},
                        wrapper=setpriv(AGENT_UID, MINIMAL))
    try:
        st = status(agent.p.pid)
        assert st["Uid"] == [str(AGENT_UID)] * 4, st["Uid"]
        assert int(st["CapEff"][0], 16) == sum(1 << CAP_BITS[c] for c in MINIMAL), st["CapEff"]
        wait_until(lambda: srv.p.pid in watched_pids(agent), lambda: f"fixture not watched: {agent.err}")
        assert curl(f"http://127.0.0.1:{port}/minimal-caps") == 200
        spans = wait_spans(agent, 1, kind="server")
        assert any(s.get("path") == "/minimal-caps" for s in spans), spans
        assert "hugin_spans_total" in scrape(prom)
        # No CAP_SYS_ADMIN: TLS uprobes are refused by the kernel, and the agent says so once.
        assert sum("no CAP_SYS_ADMIN" in l for l in agent.err) == 1, agent.err
    finally:
        assert agent.stop() == 0
        srv.stop()


@pytest.mark.parametrize("removed", MINIMAL)
def test_each_minimal_capability_is_needed(shared_dir, removed):
    """Without any one of them the agent stops at once with one line naming it, exit 1."""
    port = free_port()
    srv = start_fixture_as_nobody(shared_dir, port)
    try:
        agent = Proc([*setpriv(AGENT_UID, [c for c in MINIMAL if c != removed]),
                      os.path.join(shared_dir, "hugin")],
                     env=agent_env({"HUGIN_OPEN_PORT": str(port)}), name="hugin")
        assert agent.p.wait(30) == 1
        time.sleep(0.2)  # the stderr pump
        assert len(agent.err) == 1, agent.err
        assert agent.err[0].startswith("hugin: ") and "missing capability" in agent.err[0], agent.err
        assert "CAP_" + removed.upper() in agent.err[0], agent.err
    finally:
        srv.stop()


def test_tls_uprobes_with_cap_sys_admin_as_a_non_root_uid(shared_dir):
    cert, key = make_cert(shared_dir)
    os.chmod(key, 0o644)  # a throw-away key the fixture (nobody) must read
    port = free_port()
    srv = start_fixture_as_nobody(shared_dir, port, tls=(cert, key))
    agent = start_agent(os.path.join(shared_dir, "hugin"),
                        {"HUGIN_OPEN_PORT": str(port), "HUGIN_TRACE_PRINTER": "json"},
                        wrapper=setpriv(AGENT_UID, WITH_TLS))
    try:
        agent.wait_line(r"TLS plaintext from .*crypto/tls", where="err")
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        with urllib.request.urlopen(f"https://127.0.0.1:{port}/tls-caps", context=ctx, timeout=10) as r:
            assert r.status == 200
        spans = wait_spans(agent, 1, kind="server")
        assert any(s.get("path") == "/tls-caps" and s["tls"] is True for s in spans), spans
        assert not any("no CAP_SYS_ADMIN" in l for l in agent.err), agent.err
    finally:
        assert agent.stop() == 0
        srv.stop()


def test_parsing_process_dies_with_a_killed_privileged_process(hugin):
    """SIGKILL leaves the privileged process no chance to stop its child: PR_SET_PDEATHSIG and
    the closed control socket each end it (this test cannot tell which did: with the prctl
    removed it still passes, through the socket)."""
    port = free_port()
    agent = start_agent(hugin, {"HUGIN_OPEN_PORT": str(port)})
    kids = child_pids(agent.p.pid)
    assert len(kids) == 1, kids
    child = kids.pop()
    assert os.path.exists(f"/proc/{child}")
    agent.stop(signal.SIGKILL)

    def gone():
        try:
            return status(child)["State"][0] == "Z"  # exited, not yet reaped by its new parent
        except FileNotFoundError:
            return True
    wait_until(gone, f"parsing process {child} still running after its parent's SIGKILL", timeout=5)
