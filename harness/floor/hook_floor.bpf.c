/* The floor of Hugin's kernel cost: one program on each hook Hugin attaches to
 * for every process on the machine (bpf/progs/sys_exit.bpf.c and close.bpf.c on the syscall
 * data path, sock_io.bpf.c on the socket data path; data_ready.bpf.c and process exit on
 * both), each returning at once; the loader attaches one path's, as the agent's does. What a service pays with these
 * attached is what the hooks themselves cost (the kernel's traced-syscall path,
 * the tracepoint dispatch, the BPF trampoline), which no work inside Hugin's
 * programs can remove. The harness's hook_floor arm runs the fixture with only
 * these attached. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tp_btf/sys_exit")
int BPF_PROG(hf_sys_exit, struct pt_regs *regs, long ret) { return 0; }

SEC("tracepoint/syscalls/sys_enter_close")
int hf_enter_close(void *ctx) { return 0; }

SEC("tp_btf/sock_recv_length")
int BPF_PROG(hf_sock_recv, struct sock *sk, int ret, int flags) { return 0; }

SEC("tp_btf/sock_send_length")
int BPF_PROG(hf_sock_send, struct sock *sk, int ret, int flags) { return 0; }

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(hf_sock_state, const struct sock *sk, const int oldstate, const int newstate) {
  return 0;
}

SEC("tp_btf/tcp_destroy_sock")
int BPF_PROG(hf_sock_destroy, struct sock *sk) { return 0; }

SEC("tracepoint/sched/sched_process_exit")
int hf_process_exit(void *ctx) { return 0; }

SEC("tp_btf/sk_data_ready")
int BPF_PROG(hf_data_ready, const struct sock *sk) { return 0; }
