"""Port and process helpers shared by the Python tests (tests/e2e, tests/fixtures); the C++
harness has its own one, harness/run FreeLoopbackPort."""
import os
import socket


def free_port():
    """A port the kernel just handed out on 127.0.0.1; the caller binds it a moment later."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def child_pids(pid):
    """Direct children of `pid`, from /proc/PID/task/*/children."""
    kids = set()
    for tid in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{tid}/children") as f:
            kids.update(int(k) for k in f.read().split())
    return kids
