/* Egress: write, writev, sendto, sendmsg. */
#include "../data.bpf.h"

SEC("tracepoint/syscalls/sys_enter_write")
int hg_enter_write(struct trace_event_raw_sys_enter *ctx) {
  return io_enter(ctx->args[0], ctx->args[1], 0, IO_BUF, HG_SYS_WRITE, HG_EGRESS);
}
SEC("tracepoint/syscalls/sys_exit_write")
int hg_exit_write(struct trace_event_raw_sys_exit *ctx) { return io_exit(ctx->ret); }

SEC("tracepoint/syscalls/sys_enter_writev")
int hg_enter_writev(struct trace_event_raw_sys_enter *ctx) {
  return io_enter(ctx->args[0], ctx->args[1], ctx->args[2], IO_IOV, HG_SYS_WRITEV, HG_EGRESS);
}
SEC("tracepoint/syscalls/sys_exit_writev")
int hg_exit_writev(struct trace_event_raw_sys_exit *ctx) { return io_exit(ctx->ret); }

SEC("tracepoint/syscalls/sys_enter_sendto")
int hg_enter_sendto(struct trace_event_raw_sys_enter *ctx) {
  return io_enter(ctx->args[0], ctx->args[1], 0, IO_BUF, HG_SYS_SENDTO, HG_EGRESS);
}
SEC("tracepoint/syscalls/sys_exit_sendto")
int hg_exit_sendto(struct trace_event_raw_sys_exit *ctx) { return io_exit(ctx->ret); }

SEC("tracepoint/syscalls/sys_enter_sendmsg")
int hg_enter_sendms(struct trace_event_raw_sys_enter *ctx) {
  return io_enter(ctx->args[0], ctx->args[1], 0, IO_MSG, HG_SYS_SENDMSG, HG_EGRESS);
}
SEC("tracepoint/syscalls/sys_exit_sendmsg")
int hg_exit_sendms(struct trace_event_raw_sys_exit *ctx) { return io_exit(ctx->ret); }
