"""Port and process helpers shared by the Python tests (tests/e2e, tests/fixtures); the C++
harness has its own one, harness/run FreeLoopbackPort."""
import os
import random
import socket


def free_port():
    """A free TCP port below the kernel's ephemeral range (ip_local_port_range), so that no
    client connection's local port (wrk, h2load, curl, the agent's scrapes, in this test or one
    running beside it) can take it between this check and the caller's bind: a port the kernel
    handed out for bind(0) is in that range, and once was taken that way ("address already in
    use"). Checked by binding on all interfaces, as the fixtures do; random, so that tests in
    parallel processes rarely try the same one."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            ephemeral_low = int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        ephemeral_low = 32768
    low = 10000
    if ephemeral_low - low < 1000:  # an unusual range: let the kernel choose
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]
    for _ in range(500):
        port = random.randrange(low, ephemeral_low)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("0.0.0.0", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free TCP port in {low}..{ephemeral_low - 1}")


def child_pids(pid):
    """Direct children of `pid`, from /proc/PID/task/*/children."""
    kids = set()
    for tid in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{tid}/children") as f:
            kids.update(int(k) for k in f.read().split())
    return kids
