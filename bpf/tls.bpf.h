/* The plaintext path shared by the TLS libraries' uprobes (OpenSSL's SSL_read
 * and SSL_write, Go's crypto/tls): which connection a call is on, and its
 * plaintext as data records flagged HG_FLAG_TLS, with positions in the
 * connection's plaintext stream (conn_state.tls_pos). */
#ifndef HUGIN_BPF_TLS_H
#define HUGIN_BPF_TLS_H

#include "data.bpf.h"

/* Records `len` plaintext bytes at user address `buf` that a TLS library call
 * of process `tgid` moved on socket `fd` in direction `dir`. */
static __always_inline int tls_data(__u32 tgid, int fd, __u64 buf, __u64 moved, __u8 dir,
                                    __u64 arrival) {
  dir &= 1;
  const __u8 syscall = dir == HG_INGRESS ? HG_SYS_TLS_READ : HG_SYS_TLS_WRITE;
  struct conn_state *c = conn_lookup(tgid, fd, syscall, 0, 0, 0);
  if (!c) {
    count(HG_CNT_TLS_NO_CONN);
    return 0;
  }
  const __u64 now = bpf_ktime_get_ns();
  if (!c->tls) {
    /* A connection Hugin joined mid-stream: its syscalls were not recognised as
     * TLS. From now on they are ciphertext, and a policy decided on them no
     * longer applies (hg_conn_policy.tls). */
    c->tls = 1;
    c->mode = HG_CAPTURE_HEAD;
  }
  const __u32 len = moved > 0xffffffffull ? 0xffffffffU : (__u32)moved;
  __u64 pos = c->tls_pos[dir];
  c->tls_pos[dir] = pos + len;
  refresh_policy(tgid, fd, c, now);
  if (c->mode == HG_CAPTURE_OFF) {
    count(HG_CNT_POLICY_OFF_CALLS);
    return 0;
  }
  struct io_src src = {.ptr = buf};
  if (pos == 0 && c->mode == HG_CAPTURE_HEAD && len >= 24) {
    __u32 zero = 0;
    struct data_scratch *s = bpf_map_lookup_elem(&scratch, &zero);
    if (!s) return 0;
    detect_h2_preface(c, &src, s->raw + sizeof(struct hg_data_event));
  }
  emit_call(c, tgid, fd, &src, pos, len, dir, syscall, HG_FLAG_TLS, now, arrival,
            c->mode == HG_CAPTURE_FULL);
  return 0;
}

/* Entry of a thread-bound TLS call (OpenSSL): remember its arguments until it returns. */
static __always_inline int tls_call_enter(__u64 ssl, __u64 buf, __u64 out_len, __u8 dir) {
  __u64 id = bpf_get_current_pid_tgid();
  if (!watched(id >> 32)) return 0;
  struct tls_thread *t = bpf_map_lookup_elem(&tls_threads, &id);
  if (t) {
    t->ssl = ssl;
    t->buf = buf;
    t->out_len = out_len;
    t->call_fd = -1;
    t->call_arrival = 0;
    t->dir = dir;
    t->in_call = 1;
    return 0;
  }
  struct tls_thread fresh = {.ssl = ssl, .buf = buf, .out_len = out_len, .call_fd = -1,
                             .last_read_fd = -1, .in_call = 1, .dir = dir};
  bpf_map_update_elem(&tls_threads, &id, &fresh, BPF_ANY);
  return 0;
}

/* Return of a thread-bound TLS call. `ret`: the function's return value;
 * `ex`: the _ex variant (returns 1 on success, bytes moved through out_len). */
static __always_inline int tls_call_return(int ret, bool ex) {
  __u64 id = bpf_get_current_pid_tgid();
  __u32 tgid = id >> 32;
  if (!watched(tgid)) return 0;
  struct tls_thread *t = bpf_map_lookup_elem(&tls_threads, &id);
  if (!t || !t->in_call) return 0;
  t->in_call = 0;
  __u64 moved = 0;
  if (ex) {
    if (ret != 1 || !t->out_len) return 0;
    if (bpf_probe_read_user(&moved, sizeof(moved), (void *)t->out_len) != 0) return 0;
  } else {
    if (ret <= 0) return 0;
    moved = ret;
  }
  if (moved == 0) return 0;
  count(HG_CNT_TLS_CALLS);
  const __u8 dir = t->dir;
  const __u64 buf = t->buf;
  /* The call's socket: the one its own syscall used; else the one this SSL was
   * last seen on (served from the library's buffer, or a memory BIO); else,
   * for a read, the thread's last ciphertext read (memory BIO, first call). */
  struct tls_session_key sk = {.tgid = tgid, .ssl = t->ssl};
  int fd = t->call_fd;
  __u64 arrival = t->call_arrival;
  struct ssl_session *cached = bpf_map_lookup_elem(&ssl_sessions, &sk);
  if (cached) {
    /* Stale when its connection is gone or the fd is another connection now:
     * this SSL * was freed and reused for a new session. */
    struct conn_state *cc = conn_of_fd(tgid, cached->fd);
    if (!cc || cc->generation != cached->generation) cached = NULL;
  }
  if (fd < 0 && cached) fd = cached->fd;
  if (fd < 0 && dir == HG_INGRESS) fd = t->last_read_fd;
  if (t->call_fd < 0 && dir == HG_INGRESS && fd == t->last_read_fd) {
    arrival = t->last_arrival; /* memory BIO: the read before the call brought it */
    t->last_arrival = 0;
  }
  if (fd < 0 && dir == HG_EGRESS && t->last_read_fd >= 0) {
    /* A client's first write on a memory-BIO session (Node's https.get): no
     * syscall of its own and nothing cached yet. The thread's last ciphertext
     * read is the handshake that has just completed, taken only when that
     * connection is TLS and has moved no plaintext yet (a fresh handshake). */
    struct conn_state *lc = conn_of_fd(tgid, t->last_read_fd);
    if (lc && lc->tls && lc->tls_pos[0] == 0 && lc->tls_pos[1] == 0) fd = t->last_read_fd;
  }
  if (fd < 0) {
    count(HG_CNT_TLS_NO_CONN);
    return 0;
  }
  if (!cached || cached->fd != fd) {
    const __u8 syscall = dir == HG_INGRESS ? HG_SYS_TLS_READ : HG_SYS_TLS_WRITE;
    struct conn_state *c = conn_lookup(tgid, fd, syscall, 0, 0, 0);
    if (c) {
      struct ssl_session v = {.fd = fd, .generation = c->generation};
      bpf_map_update_elem(&ssl_sessions, &sk, &v, BPF_ANY);
    }
  }
  return tls_data(tgid, fd, buf, moved, dir, dir == HG_INGRESS ? arrival : 0);
}

#endif /* HUGIN_BPF_TLS_H */
