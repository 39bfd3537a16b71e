/* Go's crypto/tls: the plaintext of (*tls.Conn).Write and (*tls.Conn).Read.
 * Uprobes at the function's entry and at every RET instruction in it (the
 * loader finds them: core/tls/go); Go's register ABI (Go >= 1.17, amd64):
 *   func (c *Conn) Write(b []byte) (int, error)   c in RAX, b in RBX (ptr), RCX (len)
 *   func (c *Conn) Read(b []byte) (int, error)    returns n in RAX
 * and the running goroutine's g in R14. The call's socket, in order of trust:
 *  1. from the *tls.Conn: c.conn, a net.Conn holding a *net.TCPConn (or a
 *     wrapper embedding one as its first field), proven by the itab where its
 *     symbol is known -> netFD -> poll.FD.Sysfd, with the offsets the loader
 *     wrote for this executable (cookie = its index);
 *  2. the TLS socket this thread read or wrote during the call (Go reads and
 *     writes the socket on the goroutine's own thread);
 *  3. the socket this *tls.Conn was last seen on (a Read served from the
 *     connection's buffer makes no syscall);
 *  4. with no itab to check (stripped binary), the pointers of 1 if they land
 *     on a known TLS socket;
 *  5. a read: the TLS socket this thread read last (the handshake's). */
#include "../tls.bpf.h"

/* The socket fd the *tls.Conn's pointers lead to, or -1; *verified: the itab
 * said the net.Conn is a *net.TCPConn. */
static __always_inline int go_conn_fd(const struct hg_go_tls_binary *b, __u64 conn,
                                      bool *verified) {
  __u64 iface[2] = {}; /* itab, data */
  *verified = false;
  if (bpf_probe_read_user(iface, sizeof(iface), (void *)(conn + b->conn_in_tls_conn)) != 0)
    return -1;
  if (b->tcpconn_itab) {
    /* A wrapper that embeds the net.Conn as its first field (struct{ net.Conn;
     * ... }, a common way to count or time a connection): look one level, then
     * two, inside it for the *net.TCPConn. */
    for (int depth = 0; depth < 2 && iface[0] != b->tcpconn_itab; depth++) {
      if (!iface[1] || bpf_probe_read_user(iface, sizeof(iface), (void *)iface[1]) != 0)
        return -1;
    }
    if (iface[0] != b->tcpconn_itab) return -1; /* some other net.Conn */
    *verified = true;
  }
  __u64 netfd = 0;
  if (!iface[1] ||
      bpf_probe_read_user(&netfd, sizeof(netfd), (void *)(iface[1] + b->fd_in_net_conn)) != 0 ||
      !netfd)
    return -1;
  __s64 fd = -1;
  if (bpf_probe_read_user(&fd, sizeof(fd),
                          (void *)(netfd + b->pfd_in_netfd + b->sysfd_in_poll_fd)) != 0)
    return -1;
  return fd >= 0 && fd < (1 << 24) ? (int)fd : -1;
}

static __always_inline bool is_tls_conn(__u32 tgid, int fd) {
  struct conn_state *c = conn_of_fd(tgid, fd);
  return c && c->tls;
}

/* A call whose plaintext go_tls_enter already sent (struct go_tls_call.dir). */
#define GO_TLS_SENT_AT_ENTRY 0x2

/* The socket of a *tls.Conn when it is certain before the call does any I/O:
 * the itab-proven pointers (1), or the socket this *tls.Conn was last seen on,
 * still the same connection (3). Else -1. */
static __always_inline int go_tls_known_fd(struct pt_regs *ctx, __u32 tgid, __u64 conn) {
  __u32 idx = (__u32)bpf_get_attach_cookie(ctx);
  struct hg_go_tls_binary *b = bpf_map_lookup_elem(&go_tls_binaries, &idx);
  bool verified = false;
  int fd = b ? go_conn_fd(b, conn, &verified) : -1;
  if (verified) return fd;
  struct tls_session_key sk = {.tgid = tgid, .ssl = conn};
  struct ssl_session *cached = bpf_map_lookup_elem(&ssl_sessions, &sk);
  if (!cached) return -1;
  struct conn_state *cc = conn_of_fd(tgid, cached->fd);
  return cc && cc->generation == cached->generation ? cached->fd : -1;
}

/* A Write's plaintext goes into the ring at the call's entry when its socket is
 * already known, so a response can never be in the ring before the request
 * that caused it. Sent at the return instead, the record raced the peer: gRPC's
 * client writes on one goroutine and reads on another, and a fast answer's Read
 * could return on another CPU before the Write's RET probe ran (a client span
 * lost in about 1 run of 8 of tests/e2e/test_tls_go.py's gRPC test: the
 * response stream was seen before its request). Go's Write sends all of b or
 * fails; a failed Write's bytes are then reported on a connection that is
 * broken anyway. */
static __always_inline int go_tls_enter(struct pt_regs *ctx, __u8 dir) {
  __u32 tgid = bpf_get_current_pid_tgid() >> 32;
  if (!watched(tgid)) return 0;
  struct go_tls_key k = {.tgid = tgid, .g = ctx->r14};
  struct go_tls_call v = {
      .entry_ns = bpf_ktime_get_ns(), .conn = ctx->ax, .buf = ctx->bx, .dir = dir};
  if (dir == HG_EGRESS && (long)ctx->cx > 0) {
    int fd = go_tls_known_fd(ctx, tgid, v.conn);
    if (fd >= 0) {
      v.dir |= GO_TLS_SENT_AT_ENTRY;
      count(HG_CNT_TLS_CALLS);
      tls_data(tgid, fd, v.buf, ctx->cx, dir, 0);
    }
  }
  bpf_map_update_elem(&go_tls_calls, &k, &v, BPF_ANY);
  return 0;
}

static __always_inline int go_tls_return(struct pt_regs *ctx) {
  __u64 id = bpf_get_current_pid_tgid();
  __u32 tgid = id >> 32;
  if (!watched(tgid)) return 0;
  struct go_tls_key k = {.tgid = tgid, .g = ctx->r14};
  struct go_tls_call *v = bpf_map_lookup_elem(&go_tls_calls, &k);
  if (!v) return 0;
  struct go_tls_call call = *v;
  bpf_map_delete_elem(&go_tls_calls, &k);
  if (call.dir & GO_TLS_SENT_AT_ENTRY) return 0;
  long n = (long)ctx->ax;
  if (n <= 0) return 0;
  count(HG_CNT_TLS_CALLS);
  const __u8 dir = call.dir & 1;
  int fd = -1;
  struct tls_thread *t = bpf_map_lookup_elem(&tls_threads, &id);
  /* 1. The pointers, when the itab proves them (exact, whatever thread runs us). */
  __u32 idx = (__u32)bpf_get_attach_cookie(ctx);
  struct hg_go_tls_binary *b = bpf_map_lookup_elem(&go_tls_binaries, &idx);
  bool verified = false;
  int chain_fd = b ? go_conn_fd(b, call.conn, &verified) : -1;
  if (verified) fd = chain_fd;
  /* 2. The TLS socket this thread read or wrote during the call. */
  if (fd < 0 && t && t->last_io_ns[dir] >= call.entry_ns) fd = t->last_io_fd[dir];
  /* 3. The socket this *tls.Conn was last seen on. */
  struct tls_session_key sk = {.tgid = tgid, .ssl = call.conn};
  struct ssl_session *cached = bpf_map_lookup_elem(&ssl_sessions, &sk);
  if (cached) {
    /* A *tls.Conn collected and its memory reused for a new connection: stale. */
    struct conn_state *cc = conn_of_fd(tgid, cached->fd);
    if (!cc || cc->generation != cached->generation) cached = NULL;
  }
  if (fd < 0 && cached) fd = cached->fd;
  /* 4. No itab to check (stripped): the pointers, if they land on a TLS socket;
   * 5. a read served from the buffer right after the handshake (net/http
   *    handshakes, then reads, on one goroutine): this thread's last TLS read. */
  if (fd < 0 && b && !b->tcpconn_itab && chain_fd >= 0 && is_tls_conn(tgid, chain_fd)) fd = chain_fd;
  if (fd < 0 && dir == HG_INGRESS && t && t->last_io_fd[HG_INGRESS] >= 0 &&
      is_tls_conn(tgid, t->last_io_fd[HG_INGRESS]))
    fd = t->last_io_fd[HG_INGRESS];
  if (fd < 0) {
    count(HG_CNT_TLS_NO_CONN);
    return 0;
  }
  if (!cached || cached->fd != fd) {
    struct conn_state *cc = conn_of_fd(tgid, fd);
    if (cc) {
      struct ssl_session v = {.fd = fd, .generation = cc->generation};
      bpf_map_update_elem(&ssl_sessions, &sk, &v, BPF_ANY);
    }
  }
  __u64 arrival = 0;
  if (dir == HG_INGRESS) {
    /* The ciphertext read that brought it, if this thread made it (tls_note_syscall). */
    if (t && t->last_read_fd == fd) {
      arrival = t->last_arrival;
      t->last_arrival = 0;
    }
  }
  return tls_data(tgid, fd, call.buf, n, dir, arrival);
}

SEC("uprobe")
int hg_go_tls_write_enter(struct pt_regs *ctx) { return go_tls_enter(ctx, HG_EGRESS); }

SEC("uprobe")
int hg_go_tls_read_enter(struct pt_regs *ctx) { return go_tls_enter(ctx, HG_INGRESS); }

/* Attached at every RET of both functions. */
SEC("uprobe")
int hg_go_tls_return(struct pt_regs *ctx) { return go_tls_return(ctx); }
