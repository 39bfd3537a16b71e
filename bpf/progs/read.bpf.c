/* Ingress: read, readv, recvfrom, recvmsg. */
#include "../data.bpf.h"

SEC("tracepoint/syscalls/sys_enter_read")
int hg_enter_read(struct trace_event_raw_sys_enter *ctx) {
  return io_enter(ctx->args[0], ctx->args[1], 0, IO_BUF, HG_SYS_READ, HG_INGRESS);
}
SEC("tracepoint/syscalls/sys_exit_read")
int hg_exit_read(struct trace_event_raw_sys_exit *ctx) { return io_exit(ctx->ret); }

SEC("tracepoint/syscalls/sys_enter_readv")
int hg_enter_readv(struct trace_event_raw_sys_enter *ctx) {
  return io_enter(ctx->args[0], ctx->args[1], ctx->args[2], IO_IOV, HG_SYS_READV, HG_INGRESS);
}
SEC("tracepoint/syscalls/sys_exit_readv")
int hg_exit_readv(struct trace_event_raw_sys_exit *ctx) { return io_exit(ctx->ret); }

SEC("tracepoint/syscalls/sys_enter_recvfrom")
int hg_enter_recvfr(struct trace_event_raw_sys_enter *ctx) {
  return io_enter(ctx->args[0], ctx->args[1], 0, IO_BUF, HG_SYS_RECVFROM, HG_INGRESS);
}
SEC("tracepoint/syscalls/sys_exit_recvfrom")
int hg_exit_recvfr(struct trace_event_raw_sys_exit *ctx) { return io_exit(ctx->ret); }

SEC("tracepoint/syscalls/sys_enter_recvmsg")
int hg_enter_recvms(struct trace_event_raw_sys_enter *ctx) {
  return io_enter(ctx->args[0], ctx->args[1], 0, IO_MSG, HG_SYS_RECVMSG, HG_INGRESS);
}
SEC("tracepoint/syscalls/sys_exit_recvmsg")
int hg_exit_recvms(struct trace_event_raw_sys_exit *ctx) { return io_exit(ctx->ret); }
