/* Client connections: connect() that succeeded or is in progress (non-blocking). */
#include "../common.bpf.h"

SEC("tracepoint/syscalls/sys_enter_connect")
int hg_enter_connect(struct trace_event_raw_sys_enter *ctx) {
  __u64 id = bpf_get_current_pid_tgid();
  if (!watched(id >> 32)) return 0;
  __s32 fd = ctx->args[0];
  if (bpf_map_update_elem(&active_connect, &id, &fd, BPF_ANY) != 0) count(HG_CNT_DROP_ARGS_MAP);
  return 0;
}

SEC("tracepoint/syscalls/sys_exit_connect")
int hg_exit_connect(struct trace_event_raw_sys_exit *ctx) {
  __u64 id = bpf_get_current_pid_tgid();
  __s32 *fdp = bpf_map_lookup_elem(&active_connect, &id);
  if (!fdp) return 0;
  __s32 fd = *fdp;
  bpf_map_delete_elem(&active_connect, &id);
  if (ctx->ret != 0 && ctx->ret != -HG_EINPROGRESS) return 0;
  struct sock *sk = tcp_sock_of_fd(fd);
  if (sk) conn_open(id >> 32, fd, sk, HG_ROLE_CLIENT, HG_SYS_CONNECT);
  return 0;
}
