/* Every syscall Hugin needs, at its exit only, in one program: read, readv,
 * recvfrom, recvmsg (ingress), write, writev, sendto, sendmsg (egress),
 * accept, accept4 (server connections) and connect (client connections).
 *
 * Why one tp_btf/sys_exit program rather than an enter and an exit program per
 * syscall on the classic syscalls tracepoints: a classic syscall tracepoint
 * builds a perf record before the program runs (+41 ns a hit in the kernel's
 * bench_trigger, +8 ns for a raw/BTF tracepoint), and a stash map from enter to
 * exit costs two hash operations per call. At exit the syscall's arguments are
 * still in the saved registers (x86-64: di, si, dx; the syscall number in
 * orig_ax), so the exit alone has all it needs. The price: the program runs on
 * every syscall exit of every process, so it rejects by syscall number first (a
 * load and a compare) and by process second (one hash lookup).
 * close() stays on its own sys_enter tracepoint (progs/close.bpf.c): at its exit
 * the fd may already belong to a new connection of another thread. */
#include "../data.bpf.h"
#include "../syscalls.bpf.h"


static __always_inline int accept_exit(__u32 tgid, long ret) {
  if (ret < 0) return 0;
  struct sock *sk = tcp_sock_of_fd(ret);
  if (sk) conn_open(tgid, ret, sk, HG_ROLE_SERVER, HG_SYS_ACCEPT);
  return 0;
}

/* A connect() that succeeded or is in progress (non-blocking). */
static __always_inline int connect_exit(__u32 tgid, int fd, long ret) {
  if (ret != 0 && ret != -HG_EINPROGRESS) return 0;
  struct sock *sk = tcp_sock_of_fd(fd);
  if (sk) conn_open(tgid, fd, sk, HG_ROLE_CLIENT, HG_SYS_CONNECT);
  return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(hg_sys_exit, struct pt_regs *regs, long ret) {
  const long nr = regs->orig_ax;
  const bool opens = nr == HG_NR_ACCEPT || nr == HG_NR_ACCEPT4 || nr == HG_NR_CONNECT;
  if (!opens && (nr < 0 || nr > HG_NR_RECVMSG || !io_syscalls[nr].is_io)) return 0;
  const __u32 tgid = bpf_get_current_pid_tgid() >> 32;
  if (!watched(tgid)) return 0;
  if (nr == HG_NR_ACCEPT || nr == HG_NR_ACCEPT4) return accept_exit(tgid, ret);
  if (nr == HG_NR_CONNECT) return connect_exit(tgid, (int)regs->di, ret);
  if (nr < 0 || nr > HG_NR_RECVMSG) return 0;  /* again, for the verifier */
  return io_exit(tgid, ret, io_args_of(regs, nr, 0));
}
