/* The socket data path: on kernels with the sock_recv_length and sock_send_length tracepoints
 * (6.4 and later), data calls are seen where a socket's recvmsg or sendmsg returns, and
 * progs/sys_exit.bpf.c and the sys_enter_close tracepoint are not attached.
 *
 * Why: a program on sys_exit (or any syscall tracepoint) sends every syscall of every process
 * on the machine through the kernel's traced-syscall path and runs for each (15 runs per
 * request of the Go fixture, most of them epoll, futex and the load tool's calls). These hooks
 * run for socket reads and writes only, and hand over the socket itself: no fd -> socket walk
 * for a new connection, and the socket is the connection's key (maps.bpf.h, conns).
 * What they do not see: which side of a connection a process is (no accept() or connect()
 * exit; the socket's byte counters tell, common.bpf.h role_at_stream_start) and when it ends
 * (no close(); its state changes and its destruction tell, below).
 * The call's buffer is still read from the syscall's saved registers: a call that is not one of
 * the data syscalls (io_uring, sendfile, sendmmsg) is counted, not recorded, as the syscall
 * path leaves it unseen. */
#include "../syscalls.bpf.h"

#define HG_MSG_PEEK 2
#define HG_TCP_ESTABLISHED 1
#define HG_TCP_SYN_RECV 3
#define HG_TCP_FIN_WAIT1 4
#define HG_TCP_CLOSE 7
#define HG_TCP_LAST_ACK 9
#define HG_TCP_LISTEN 10
#define HG_SHUTDOWN_MASK 3

static __always_inline int sock_io(struct sock *sk, int ret, int flags, __u8 dir) {
  if (ret <= 0) return 0;
  const __u32 tgid = bpf_get_current_pid_tgid() >> 32;
  if (!watched(tgid)) return 0;
  if (dir == HG_INGRESS && (flags & HG_MSG_PEEK)) return 0; /* the bytes stay queued */
  struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
  const long nr = regs->orig_ax;
  if (nr < 0 || nr > HG_NR_RECVMSG || !io_syscalls[nr].is_io || io_syscalls[nr].dir != dir) {
    count(HG_CNT_SOCKET_CALLS_UNSEEN);
    return 0;
  }
  return io_exit(tgid, ret, io_args_of(regs, nr, (__u64)sk));
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(hg_sock_recv, struct sock *sk, int ret, int flags) {
  return sock_io(sk, ret, flags, HG_INGRESS);
}

SEC("tp_btf/sock_send_length")
int BPF_PROG(hg_sock_send, struct sock *sk, int ret, int flags) {
  return sock_io(sk, ret, flags, HG_EGRESS);
}

/* The tracked connection of socket `sk` ends, if it has one. The local port is already released
 * at some of the callers' moments, so no sk_filter check: one lookup per call. */
static __always_inline void end_of_socket(__u64 sk) {
  __u64 k = conn_key_of(0, 0, sk);
  conn_close(bpf_map_lookup_elem(&conns, &k));
}

/* A socket's entry made before any data call opened it: its queue-time registration (a
 * listener's child never read by a watched process). */
static __always_inline void forget_unopened(__u64 sk) {
  struct arrival *a = bpf_map_lookup_elem(&data_arrival, &sk);
  __u64 k = conn_key_of(0, 0, sk);
  if (a && !bpf_map_lookup_elem(&conns, &k)) {
    __sync_fetch_and_add(&sk_filter[a->slot & (HG_SK_FILTER_SLOTS - 1)], -1);
    bpf_map_delete_elem(&data_arrival, &sk);
  }
}

/* A listener's child on a port a watched process listens on gets its queue-time entry at the
 * handshake's end; the application's close() ends its connection. Runs for every TCP state change on the
 * machine: a few per connection, none per request. */
SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(hg_sock_state, const struct sock *sk_ptr, const int oldstate, const int newstate) {
  __u64 sk = (__u64)sk_ptr;
  if (newstate == HG_TCP_LISTEN) {
    /* listen(), in the listening process */
    if (watched(bpf_get_current_pid_tgid() >> 32)) watch_port(sk_ptr->__sk_common.skc_num);
    return 0;
  }
  if (newstate == HG_TCP_ESTABLISHED && oldstate == HG_TCP_SYN_RECV) {
    /* A listener's child, in softirq: no process to filter on, and not yet accepted. */
    const __u16 port = sk_ptr->__sk_common.skc_num;
    if (!((watched_ports[(port >> 6) & (65536 / 64 - 1)] >> (port & 63)) & 1)) return 0;
    struct arrival fresh = {.slot = sk_slot_of_ports(sk_ptr->__sk_common.skc_portpair)};
    if (bpf_map_update_elem(&data_arrival, &sk, &fresh, BPF_NOEXIST) == 0)
      __sync_fetch_and_add(&sk_filter[fresh.slot & (HG_SK_FILTER_SLOTS - 1)], 1);
    return 0;
  }
  /* The application let go of the socket: close() (or shutdown() both ways), seen as the
   * transition it makes with both directions shut; later transitions find nothing. Not any
   * TCP_CLOSE: a reset from the peer closes the socket in softirq while the application may
   * still be inside a call on it (its record comes after), and will close() it later, which
   * changes no state then: tcp_destroy_sock ends that one. */
  if ((newstate == HG_TCP_FIN_WAIT1 || newstate == HG_TCP_LAST_ACK || newstate == HG_TCP_CLOSE) &&
      sk_ptr->sk_shutdown == HG_SHUTDOWN_MASK)
    end_of_socket(sk);
  if (newstate == HG_TCP_CLOSE) forget_unopened(sk);
  return 0;
}

/* A socket is freed: after its last reference went (the application's close() included), so
 * nothing can be read or written on it any more. Ends a connection whose close() changed no
 * state (the peer had reset it). */
SEC("tp_btf/tcp_destroy_sock")
int BPF_PROG(hg_sock_destroy, struct sock *sk_ptr) {
  __u64 sk = (__u64)sk_ptr;
  end_of_socket(sk);
  forget_unopened(sk);
  return 0;
}
