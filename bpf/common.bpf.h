/* Helpers shared by the programs: the pid filter, counters, fd -> socket,
 * the connection table, and loss attribution. */
#ifndef HUGIN_BPF_COMMON_H
#define HUGIN_BPF_COMMON_H

#include "maps.bpf.h"
#include "wakeup.bpf.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_tracing.h>

#define HG_AF_INET 2
#define HG_AF_INET6 10
#define HG_S_IFMT 00170000
#define HG_S_IFSOCK 0140000
#define HG_SOCK_STREAM 1
#define HG_IPPROTO_TCP 6
#define HG_EINPROGRESS 115

static __always_inline void count(__u32 which) {
  __u64 *v = bpf_map_lookup_elem(&counters, &which);
  if (v) *v += 1; /* per-CPU slot: no atomics needed */
}

/* Ring buffer submit flags: batch wakeups (hg_wakeup_flags, cfg_wakeup_bytes).
 * Considered: never waking the reader (a drain timer only, as Falco does), but
 * a 20-50 ms timer alone lets a burst fill a small ring before the reader looks:
 * the overload scenario's 64 KiB ring takes about 5 ms to fill at 6000
 * requests/s of 2 KiB answers (an estimate).
 * Flags for bpf_ringbuf_output of a record of `size` bytes, asked before the call. */
static __always_inline __u64 wakeup_flags_before_output(__u64 size) {
  return hg_wakeup_flags(bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA), size, cfg_wakeup_bytes);
}

/* Flags for bpf_ringbuf_submit of a reserved record of `size` bytes: the
 * unread count already includes the reservation. */
static __always_inline __u64 wakeup_flags_at_submit(__u64 size) {
  __u64 unread = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
  return hg_wakeup_flags(unread > size + 8 ? unread - size - 8 : 0, size, cfg_wakeup_bytes);
}

/* True when the current process is one Hugin watches. */
static __always_inline bool watched(__u32 tgid) {
  if (tgid == cfg_self_tgid) return false;
  if (cfg_trace_all) return true;
  return (watched_tgids[(tgid >> 6) & (HG_WATCHED_WORDS - 1)] >> (tgid & 63)) & 1;
}

/* sk_filter slot of a socket, from its port pair (skc_portpair: remote port
 * << 16 | local port, fixed for a connected TCP socket). Not from the socket's
 * address: sk_data_ready's argument is a trusted pointer the verifier forbids
 * arithmetic on, while a field load from it is one instruction. */
static __always_inline __u32 sk_slot_of_ports(__u32 portpair) {
  return (__u32)((portpair * 0x9E3779B1u) >> 16) & (HG_SK_FILTER_SLOTS - 1);
}

/* A TCP socket over IPv4/IPv6 (the stream type is the socket's: see tcp_sock_of_fd). */
static __always_inline bool is_tcp(struct sock *sk) {
  __u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
  if (family != HG_AF_INET && family != HG_AF_INET6) return false;
  return BPF_CORE_READ(sk, sk_protocol) == HG_IPPROTO_TCP &&
         BPF_CORE_READ(sk, sk_type) == HG_SOCK_STREAM;
}

/* task->files->fdt->fd[fd] -> struct sock *, or NULL when the fd is not a
 * TCP socket over IPv4/IPv6. */
static __always_inline struct sock *tcp_sock_of_fd(int fd) {
  struct task_struct *task = (struct task_struct *)bpf_get_current_task();
  struct files_struct *files = BPF_CORE_READ(task, files);
  struct fdtable *fdt = BPF_CORE_READ(files, fdt);
  unsigned int max_fds = BPF_CORE_READ(fdt, max_fds);
  if (fd < 0 || (unsigned int)fd >= max_fds) return NULL;
  struct file **fds = BPF_CORE_READ(fdt, fd);
  struct file *file = NULL;
  bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]);
  if (!file) return NULL;
  umode_t mode = BPF_CORE_READ(file, f_inode, i_mode);
  if ((mode & HG_S_IFMT) != HG_S_IFSOCK) return NULL;
  struct socket *sock = BPF_CORE_READ(file, private_data);
  if (!sock) return NULL;
  if (BPF_CORE_READ(sock, type) != HG_SOCK_STREAM) return NULL;
  struct sock *sk = BPF_CORE_READ(sock, sk);
  return sk && is_tcp(sk) ? sk : NULL;
}

static __always_inline void fill_addr(struct sock *sk, struct hg_addr *a) {
  a->family = BPF_CORE_READ(sk, __sk_common.skc_family);
  a->lport = BPF_CORE_READ(sk, __sk_common.skc_num);
  a->rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
  /* Explicit sizes: BPF_CORE_READ_INTO on an array would copy one element. */
  if (a->family == HG_AF_INET) {
    bpf_core_read(a->laddr, 4, &sk->__sk_common.skc_rcv_saddr);
    bpf_core_read(a->raddr, 4, &sk->__sk_common.skc_daddr);
  } else {
    bpf_core_read(a->laddr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
    bpf_core_read(a->raddr, 16, &sk->__sk_common.skc_v6_daddr);
  }
}

/* Lock-free min/max of a loss time: two CPUs may lose records of one
 * connection at once (threads sharing a socket). Retries are bounded for the
 * verifier; losing four races in a row leaves the bound a few ns short. */
static __always_inline void store_min(__u64 *p, __u64 v) {
  for (int i = 0; i < 4; i++) {
    __u64 old = *p;
    if (old <= v || __sync_val_compare_and_swap(p, old, v) == old) return;
  }
}
static __always_inline void store_max(__u64 *p, __u64 v) {
  for (int i = 0; i < 4; i++) {
    __u64 old = *p;
    if (old >= v || __sync_val_compare_and_swap(p, old, v) == old) return;
  }
}

#define HG_LOSS_CONTROL 2 /* an open or close record; data uses enum hg_direction */

/* Every site where a record of a tracked connection cannot be written calls
 * this (after counting the reason globally), so user space can tell which
 * connection lost what and when. `bytes`: the lost data call's length. */
static __always_inline void note_loss_of(__u32 tgid, int fd, __u64 generation, __u64 sk_addr,
                                         __u8 kind, __u64 bytes, __u64 ts) {
  struct hg_conn_id k = {.tgid = tgid, .fd = fd, .generation = generation};
  struct hg_conn_loss *l = bpf_map_lookup_elem(&conn_losses, &k);
  if (!l) {
    struct hg_conn_loss fresh = {.first_ns = ts, .last_ns = ts};
    struct sock *sk = (struct sock *)sk_addr;
    if (sk) {
      fresh.lport = BPF_CORE_READ(sk, __sk_common.skc_num);
      fresh.rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
    }
    /* NOEXIST: another CPU may have made the entry since the lookup; then
     * the lookup below finds that one. */
    bpf_map_update_elem(&conn_losses, &k, &fresh, BPF_NOEXIST);
    l = bpf_map_lookup_elem(&conn_losses, &k);
    if (!l) {
      count(HG_CNT_LOSS_MAP_FULL);
      return;
    }
  }
  if (kind == HG_INGRESS)
    __sync_fetch_and_add(&l->ingress_records, 1);
  else if (kind == HG_EGRESS)
    __sync_fetch_and_add(&l->egress_records, 1);
  else
    __sync_fetch_and_add(&l->control_records, 1);
  if (bytes) __sync_fetch_and_add(&l->bytes, bytes);
  store_min(&l->first_ns, ts);
  store_max(&l->last_ns, ts);
}

static __always_inline void note_loss(__u32 tgid, int fd, const struct conn_state *c, __u8 kind,
                                      __u64 bytes, __u64 ts) {
  note_loss_of(tgid, fd, c->generation, c->sk, kind, bytes, ts);
}

static __always_inline void fill_header_at(struct hg_header *h, __u8 type, __u32 tgid, int fd,
                                           const struct conn_state *c, __u64 ts) {
  h->type = type;
  h->role = c->role;
  h->tid = (__u32)bpf_get_current_pid_tgid();
  h->ts_ns = ts;
  h->conn.tgid = tgid;
  h->conn.fd = fd;
  h->conn.generation = c->generation;
  h->flags = 0;
  __builtin_memset(h->_pad, 0, sizeof(h->_pad));
}

static __always_inline void fill_header(struct hg_header *h, __u8 type, __u32 tgid, int fd,
                                        const struct conn_state *c) {
  fill_header_at(h, type, tgid, fd, c, bpf_ktime_get_ns());
}

static __always_inline void emit_open(__u32 tgid, int fd, const struct conn_state *c,
                                      struct sock *sk, __u8 syscall) {
  struct hg_open_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
  if (!e) {
    count(HG_CNT_DROP_RINGBUF);
    note_loss(tgid, fd, c, HG_LOSS_CONTROL, 0, bpf_ktime_get_ns());
    return;
  }
  __builtin_memset(e, 0, sizeof(*e));
  fill_header(&e->h, HG_EV_OPEN, tgid, fd, c);
  e->h.syscall = syscall;
  fill_addr(sk, &e->addr);
  bpf_ringbuf_submit(e, wakeup_flags_at_submit(sizeof(*e)));
  count(HG_CNT_EVENTS);
}

/* A tracked connection's socket entries, at its end. The filter slot is the one counted at
 * the start: by the socket's end (TCP_CLOSE) the kernel may have released its local port, so
 * its port pair hashes elsewhere. */
static __always_inline void forget_sk(const struct conn_state *c) {
  __u64 sk = c->sk;
  if (!sk) return;
  bpf_map_delete_elem(&data_arrival, &sk);
  __sync_fetch_and_add(&sk_filter[c->sk_slot & (HG_SK_FILTER_SLOTS - 1)], -1);
}

/* The key of a connection in conns (maps.bpf.h says why it depends on the data path). */
static __always_inline __u64 conn_key_of(__u32 tgid, int fd, __u64 sk) {
  /* The socket's address whole: the verifier may still see it as a pointer, which it lets a key
   * be but not be taken apart. */
  return cfg_socket_path ? sk : ((__u64)(__u32)fd << 32) | tgid; /* struct conn_key's layout */
}

/* Starts tracking (tgid, fd) as a new connection, replacing what was there
 * (an fd number reused without a close we saw). Emits the open record.
 * The new state is built in conn_init, not on the stack: the data path's frame and this
 * function's must fit the verifier's 512 bytes of combined stack (6.12 counts them larger than
 * 6.18 does). */
static __noinline struct conn_state *conn_open(__u32 tgid, int fd, struct sock *sk,
                                                    __u8 role, __u8 syscall) {
  __u32 zero = 0;
  struct conn_state *c = bpf_map_lookup_elem(&conn_init, &zero);
  if (!c) return NULL;
  __builtin_memset(c, 0, sizeof(*c));
  c->generation = bpf_ktime_get_ns();
  c->tgid = tgid;
  c->fd = fd;
  /* A new connection has no policy entry yet: user space writes one once it
   * has seen the first bytes, so the first re-read is one interval later. */
  c->policy_ns = c->generation;
  c->sk = (__u64)sk;
  c->role = role;
  c->lport = BPF_CORE_READ(sk, __sk_common.skc_num);
  c->sk_slot = sk_slot_of_ports(BPF_CORE_READ(sk, __sk_common.skc_portpair));
  /* A client connection's exchanges are recorded: the kernel aggregates server sides only. */
  c->k_phase = cfg_kernel_http1 && role != HG_ROLE_CLIENT ? K_IDLE : K_OFF;
  __u64 k = conn_key_of(tgid, fd, (__u64)sk);
  /* On the syscall path k is a struct conn_key's bytes, so it serves ignored_fds too: one key on
   * this frame's stack (6.1's verifier counts it in a 512-byte budget shared with its callers). */
  if (!cfg_socket_path) bpf_map_delete_elem(&ignored_fds, &k);
  /* The fd was reused without a close Hugin saw: release the old socket. */
  struct conn_state *old = bpf_map_lookup_elem(&conns, &k);
  if (old && old->sk != c->sk) forget_sk(old);
  if (bpf_map_update_elem(&conns, &k, c, BPF_ANY) != 0) {
    count(HG_CNT_DROP_CONN_MAP);
    return NULL;
  }
  __u64 sk_key = (__u64)sk;
  struct arrival fresh = {.slot = c->sk_slot};
  bpf_map_update_elem(&data_arrival, &sk_key, &fresh, BPF_ANY);
  __sync_fetch_and_add(&sk_filter[c->sk_slot & (HG_SK_FILTER_SLOTS - 1)], 1);
  emit_open(tgid, fd, c, sk, syscall);
  return bpf_map_lookup_elem(&conns, &k);
}

/* The connection ends (close, process exit) while the kernel follows a request it has whole
 * or in part of its body, or its answer: counted as user space counts a request that never
 * got its answer. */
static __always_inline void k_end_of_connection(const struct conn_state *c) {
  if (c->k_phase == K_REQ_BODY || c->k_phase == K_RESP_WAIT || c->k_phase == K_RESP_BODY)
    count(HG_CNT_KERNEL_UNANSWERED);
}

/* Connection `c` ends (close(), its socket's end): the close record with its byte counts, and
 * its entries go. */
static __noinline void conn_close(struct conn_state *c) {
  if (!c) return;
  const __u32 tgid = c->tgid;
  const int fd = c->fd;
  __u64 k = conn_key_of(tgid, fd, c->sk);
  struct conn_key id = {.tgid = tgid, .fd = fd};
  struct hg_close_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
  if (e) {
    __builtin_memset(e, 0, sizeof(*e));
    fill_header(&e->h, HG_EV_CLOSE, tgid, fd, c);
    e->h.syscall = HG_SYS_CLOSE;
    e->bytes[0] = c->pos[0];
    e->bytes[1] = c->pos[1];
    e->tls_bytes[0] = c->tls_pos[0];
    e->tls_bytes[1] = c->tls_pos[1];
    if (c->tls) e->h.flags |= HG_FLAG_TLS;
    /* Aggregated in the kernel since its last record: its byte counts cover bytes never
     * recorded. */
    if (c->k_consumed) e->h.flags |= HG_FLAG_RESUME;
    bpf_ringbuf_submit(e, wakeup_flags_at_submit(sizeof(*e)));
    count(HG_CNT_EVENTS);
  } else {
    count(HG_CNT_DROP_RINGBUF);
    note_loss(tgid, fd, c, HG_LOSS_CONTROL, 0, bpf_ktime_get_ns());
  }
  k_end_of_connection(c);
  forget_sk(c);
  /* Its policy, even one not read yet: never leaks. On the socket path the fd may name a newer
   * connection by now, whose policy stays. */
  struct hg_conn_policy *p = bpf_map_lookup_elem(&conn_policy, &id);
  if (p && (!cfg_socket_path || p->generation <= c->generation))
    bpf_map_delete_elem(&conn_policy, &id);
  bpf_map_delete_elem(&conns, &k);
}

/* Marks a local port as one a watched process serves on (watched_ports). */
static __always_inline void watch_port(__u16 port) {
  if (!port) return;
  __u64 *w = &watched_ports[(port >> 6) & (65536 / 64 - 1)];
  const __u64 bit = 1ull << (port & 63);
  if (!(*w & bit)) __sync_fetch_and_or(w, bit);
}

/* The role of TCP socket `tp` when the call that just returned (`moved` bytes, direction `dir`)
 * moved the application's first bytes on it, else HG_ROLE_UNKNOWN (a socket used before,
 * joined mid-stream). Read = received in order - still queued; written = acknowledged + not
 * yet acknowledged. The counters also tell how the socket was opened: a connect()ing socket's
 * acknowledged count includes its SYN (the SYN-ACK goes through tcp_ack), a listener's child
 * starts at the handshake's end. So no accept() or connect() is needed to tell the two apart.
 * The softirq may update a pair meanwhile on another CPU (an ACK, more data): it writes the
 * byte count before the sequence number, so reading the sequence number first can only make a
 * sum too large, never too small (x86 keeps both orders); a few tries get a consistent pair.
 * Not inlined: its reads' temporaries would grow the data path's frame, which shares the
 * verifier's 512-byte stack budget with the deepest chain of calls under it. */
static __noinline __u8 role_at_stream_start(__u64 sk, __u8 dir, long moved) {
  const struct tcp_sock *tp = (const struct tcp_sock *)sk;
  const __u64 want_read = dir == HG_INGRESS ? (__u64)moved : 0;
  const __u64 want_written = dir == HG_EGRESS ? (__u64)moved : 0;
  const __u32 copied = BPF_CORE_READ(tp, copied_seq); /* this task's own */
  const __u32 write_seq = BPF_CORE_READ(tp, write_seq);
  bool read_ok = false;
  __u8 role = HG_ROLE_UNKNOWN;
  for (int i = 0; i < 4 && !(read_ok && role != HG_ROLE_UNKNOWN); i++) {
    if (!read_ok) {
      const __u32 rcv_nxt = BPF_CORE_READ(tp, rcv_nxt);
      const __u64 received = BPF_CORE_READ(tp, bytes_received);
      read_ok = received - (__u32)(rcv_nxt - copied) == want_read;
    }
    if (role == HG_ROLE_UNKNOWN) {
      const __u32 snd_una = BPF_CORE_READ(tp, snd_una);
      const __u64 written = BPF_CORE_READ(tp, bytes_acked) + (__u32)(write_seq - snd_una);
      role = written == want_written       ? HG_ROLE_SERVER
             : written == want_written + 1 ? HG_ROLE_CLIENT
                                           : HG_ROLE_UNKNOWN;
    }
  }
  return read_ok ? role : HG_ROLE_UNKNOWN;
}

/* The tracked connection of fd `fd` of the current process, if any: by its key on the syscall
 * path, by its socket (the fd table's) on the socket path. For the TLS uprobes. */
static __always_inline struct conn_state *conn_of_fd(__u32 tgid, int fd) {
  __u64 sk = 0;
  if (cfg_socket_path && !(sk = (__u64)tcp_sock_of_fd(fd))) return NULL;
  __u64 k = conn_key_of(tgid, fd, sk);
  return bpf_map_lookup_elem(&conns, &k);
}

/* The tracked connection behind (tgid, fd).
 * The syscall path opens connections at accept() and connect() exits; a TCP socket it has
 * not seen opened (older than the agent) starts being tracked here, role unknown.
 * The socket path (`sk`: the call's socket, which moved `moved` bytes in direction `dir`;
 * 0 from a TLS uprobe, which has the fd) opens every connection here, at its first data call,
 * with the role its counters give it. */
static __always_inline struct conn_state *conn_lookup(__u32 tgid, int fd, __u8 syscall,
                                                      __u64 sk, __u8 dir, long moved) {
  if (cfg_socket_path && !sk) {
    /* A TLS library call: its socket's own data calls opened the connection (the handshake),
     * or it is not one Hugin follows. */
    return conn_of_fd(tgid, fd);
  }
  __u64 k = conn_key_of(tgid, fd, sk);
  struct conn_state *c = bpf_map_lookup_elem(&conns, &k);
  if (c) return c;
  if (cfg_socket_path) {
    if (!is_tcp((struct sock *)sk)) return NULL;
    const __u8 role = role_at_stream_start(sk, dir, moved);
    /* Registered at ESTABLISHED (a watched port): the stamp of the bytes this call reads. */
    struct arrival *pre = bpf_map_lookup_elem(&data_arrival, &sk);
    const __u64 early_ns = pre ? pre->ns : 0;
    const __u32 early_slot = pre ? pre->slot : 0;
    c = conn_open(tgid, fd, (struct sock *)sk, role,
                  role == HG_ROLE_SERVER   ? HG_SYS_ACCEPT
                  : role == HG_ROLE_CLIENT ? HG_SYS_CONNECT
                                           : syscall);
    if (c && pre) {
      /* conn_open counted the slot again and cleared the stamp. */
      __sync_fetch_and_add(&sk_filter[early_slot & (HG_SK_FILTER_SLOTS - 1)], -1);
      struct arrival *now = bpf_map_lookup_elem(&data_arrival, &sk);
      if (now && early_ns && !now->ns) now->ns = early_ns;
    }
    if (c && role == HG_ROLE_SERVER) watch_port(c->lport);
    return c;
  }
  /* The syscall path: k is a struct conn_key's bytes (conn_key_of), the ignored_fds key too. */
  if (bpf_map_lookup_elem(&ignored_fds, &k)) return NULL;
  struct sock *s = tcp_sock_of_fd(fd);
  if (!s) {
    __u8 one = 1;
    bpf_map_update_elem(&ignored_fds, &k, &one, BPF_ANY);
    return NULL;
  }
  return conn_open(tgid, fd, s, HG_ROLE_UNKNOWN, syscall);
}

#endif /* HUGIN_BPF_COMMON_H */
