"""The agent's life around the services: started before them, outliving them, mounting tracefs
itself, and leaving nothing behind on SIGINT."""
import os
import signal
import subprocess
import time

from harness import (Proc, agent_program_ids, announced_program_count, curl, free_port,
                     programs_still_loaded, start_agent, start_fixture, wait_spans)


def test_service_started_after_the_agent_is_picked_up_and_its_death_noticed(hugin, server):
    port = free_port()
    agent = start_agent(hugin, {"OPEN_PORT": str(port), "HUGIN_TRACE_PRINTER": "json"},
                        args=["--discovery-interval-ms", "100"])
    try:
        fixture = start_fixture(server, port)
        agent.wait_line(rf"watching pid {fixture.p.pid}\b", where="err", timeout=5)
        assert curl(f"http://127.0.0.1:{port}/late") == 200
        spans = wait_spans(agent, 1)
        assert [s["path"] for s in spans] == ["/late"]
        fixture.stop()
        agent.wait_line(rf"pid {fixture.p.pid} is gone", where="err", timeout=5)
        # A new process on the same port is a new pid, watched again.
        again = start_fixture(server, port)
        agent.wait_line(rf"watching pid {again.p.pid}\b", where="err", timeout=5)
        assert curl(f"http://127.0.0.1:{port}/again") == 200
        spans = wait_spans(agent, 2)
        assert [s["path"] for s in spans] == ["/late", "/again"]
        assert spans[1]["pid"] == again.p.pid
        again.stop()
    finally:
        assert agent.stop() == 0


def test_agent_mounts_tracefs_when_it_is_missing(hugin, server):
    """In a private mount namespace without tracefs, the agent mounts it and attaches."""
    port = free_port()
    fixture = start_fixture(server, port)
    script = ("umount /sys/kernel/tracing 2>/dev/null; "
              "if mountpoint -q /sys/kernel/tracing; then echo 'still mounted' >&2; exit 9; fi; "
              f"exec {hugin} --open-port {port} --trace-printer json")
    agent = Proc(["unshare", "--mount", "--propagation", "private", "sh", "-c", script], name="hugin")
    try:
        agent.wait_line(r"hugin: ready", where="err")
        agent.wait_line(r"watching pid", where="err")
        assert curl(f"http://127.0.0.1:{port}/traced") == 200
        spans = wait_spans(agent, 1)
        assert [s["path"] for s in spans] == ["/traced"]
    finally:
        assert agent.stop() == 0, agent.err
        fixture.stop()
    assert os.path.ismount("/sys/kernel/tracing"), "the host's tracefs is untouched"


def test_sigint_detaches_every_program(hugin, server):
    port = free_port()
    agent = start_agent(hugin, {"OPEN_PORT": str(port)})
    mine = agent_program_ids(agent.p.pid)
    assert len(mine) == announced_program_count(agent)
    assert agent.stop(sig=signal.SIGINT) == 0
    left = programs_still_loaded(mine)
    assert not left, f"programs left behind after SIGINT: {left}"


def test_port_already_taken_for_metrics_is_one_line_exit_1(hugin, server):
    port = free_port()
    taken = Proc(["python3", "-c", "import socket,time;s=socket.socket();"
                  "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);"
                  f"s.bind(('0.0.0.0',{port}));s.listen();print('ready',flush=True);time.sleep(60)"],
                 name="squatter")
    taken.wait_line("ready")
    try:
        r = subprocess.run([hugin, "--open-port", "1", "--prometheus-port", str(port)],
                           capture_output=True, text=True, timeout=30)
        assert r.returncode == 1
        lines = [l for l in r.stderr.splitlines() if l.startswith("hugin: ") and "detached" not in l]
        assert len(lines) == 1 and str(port) in lines[0], r.stderr
        assert not r.stderr.count("hugin: hugin:")
    finally:
        taken.stop(signal.SIGKILL)
