/* Server connections: the fd accept()/accept4() returns. */
#include "../common.bpf.h"

static __always_inline int accept_exit(long ret) {
  __u64 id = bpf_get_current_pid_tgid();
  __u32 tgid = id >> 32;
  if (ret < 0 || !watched(tgid)) return 0;
  struct sock *sk = tcp_sock_of_fd(ret);
  if (sk) conn_open(tgid, ret, sk, HG_ROLE_SERVER, HG_SYS_ACCEPT);
  return 0;
}

SEC("tracepoint/syscalls/sys_exit_accept4")
int hg_exit_accept4(struct trace_event_raw_sys_exit *ctx) { return accept_exit(ctx->ret); }

SEC("tracepoint/syscalls/sys_exit_accept")
int hg_exit_accept(struct trace_event_raw_sys_exit *ctx) { return accept_exit(ctx->ret); }
