"""Stopping the agent as supervisors do: SIGTERM to its whole process group (the harness does
this; so do shells and init systems), which reaches the privileged process and the parsing
process at once. Both must stop cleanly: exit status 0, "detached", no error line. Before the
fix the parsing process could exit with the privileged process's last messages unread, and the
privileged process then read ECONNRESET and exited 1 (1 run in 3 of the harness's e2e test)."""
import os
import signal

from harness import child_pids, curl, free_port, start_agent, start_fixture, wait_spans


def test_sigterm_to_the_process_group_stops_both_processes_cleanly(hugin, server):
    port = free_port()
    fixture = start_fixture(server, port)
    try:
        for attempt in range(5):  # a race: several tries make a regression show
            # /metrics on, as in the harness: stopping its server keeps the parsing process
            # alive long enough for the privileged process's last messages to arrive.
            agent = start_agent(hugin, {"HUGIN_OPEN_PORT": str(port), "HUGIN_TRACE_PRINTER": "json",
                                        "HUGIN_PROMETHEUS_PORT": str(free_port())})
            agent.wait_line(rf"watching pid {fixture.p.pid}\b", where="err")
            assert curl(f"http://127.0.0.1:{port}/stop/{attempt}") == 200
            wait_spans(agent, 1)
            assert len(child_pids(agent.p.pid)) == 1, "no parsing process"
            os.killpg(agent.p.pid, signal.SIGTERM)  # Proc starts it as a session leader
            code = agent.p.wait(timeout=15)
            errors = [l for l in agent.err if l.startswith("hugin:") and (
                "parsing process" in l or "cannot" in l or "stopping" in l)]
            assert code == 0 and not errors, (attempt, code, agent.err[-6:])
            assert any("detached" in l for l in agent.err), agent.err[-6:]
    finally:
        fixture.stop()
