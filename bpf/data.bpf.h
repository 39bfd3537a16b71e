/* The data path shared by every read- and write-like syscall: at the syscall's
 * exit, with its arguments read back from the saved registers, copy the first
 * bytes the call moved into one ring buffer record. */
#ifndef HUGIN_BPF_DATA_H
#define HUGIN_BPF_DATA_H

#include "common.bpf.h"

/* Masks done in asm: clang drops a plain mask it can prove redundant, but the
 * verifier needs to see the bound on the register it checks.
 * verifier_bound: n < 2*HG_MAX_PAYLOAD; offset_bound: n < HG_MAX_PAYLOAD. */
static __always_inline __u64 verifier_bound(__u64 n) {
  asm volatile("%[n] &= 0x1fff" : [n] "+r"(n));
  return n;
}
static __always_inline __u64 offset_bound(__u64 n) {
  asm volatile("%[n] &= 0xfff" : [n] "+r"(n));
  return n;
}

/* One iovec of a copy_iov_at walk (a bpf_loop callback, so the verifier checks
 * it once whatever the number of iovecs; gRPC's C core writes with many small
 * ones, frame headers apart from their payloads). */
struct iov_walk {
  __u64 iov_ptr;
  __u32 skip; /* bytes still to pass over before copying */
  __u32 want;
  __u32 off;  /* bytes copied so far into the scratch payload */
};

static long iov_step(__u64 i, void *ctx) {
  struct iov_walk *w = ctx;
  struct iovec iov = {};
  if (bpf_probe_read_user(&iov, sizeof(iov), (void *)(w->iov_ptr + i * sizeof(iov))) != 0) return 1;
  __u64 n = iov.iov_len;
  __u32 skip = w->skip;
  if (skip >= n) {
    w->skip = skip - n;
    return 0;
  }
  w->skip = 0;
  __u32 off = w->off, want = w->want;
  if (off >= want || want > HG_MAX_PAYLOAD) return 1;
  n -= skip;
  if (n > want - off) n = want - off;
  __u32 zero = 0;
  struct data_scratch *s = bpf_map_lookup_elem(&scratch, &zero);
  if (!s) return 1;
  __u8 *dst = s->raw + sizeof(struct hg_data_event);
  /* off < want <= HG_MAX_PAYLOAD and n <= HG_MAX_PAYLOAD: dst has room for both. */
  if (bpf_probe_read_user(dst + offset_bound(off), verifier_bound(n),
                          (void *)((__u64)iov.iov_base + skip)) != 0)
    return 1;
  w->off = off + n;
  return off + n >= want;
}

/* Copies up to `want` bytes from an iovec array into the scratch payload,
 * starting `skip` bytes into the data; returns bytes copied. */
static __always_inline __u32 copy_iov_at(__u64 iov_ptr, __u32 iovcnt, __u32 skip, __u32 want) {
  struct iov_walk w = {.iov_ptr = iov_ptr, .skip = skip, .want = want, .off = 0};
  if (iovcnt > HG_MAX_IOV) iovcnt = HG_MAX_IOV;
  bpf_loop(iovcnt, iov_step, &w, 0);
  return w.off;
}

/* Where a data call's bytes are: one buffer, or an iovec array (a msghdr's
 * already resolved to its iovecs). */

static __always_inline __u32 copy_at(__u8 *dst, const struct io_src *src, __u32 skip,
                                     __u32 want) {
  if (want == 0) return 0;
  if (!src->is_iov)
    return bpf_probe_read_user(dst, verifier_bound(want), (void *)(src->ptr + skip)) == 0 ? want
                                                                                       : 0;
  return copy_iov_at(src->ptr, src->iovcnt, skip, want); /* dst is the scratch payload */
}

/* Reads the first n (<= 24) bytes of a call into buf; for an iovec array,
 * from its first iovec only (a preface or a TLS record header is written whole). */
static __always_inline bool peek_head(const struct io_src *src, __u8 *buf, __u32 n) {
  __u64 at = src->ptr;
  if (src->is_iov) {
    struct iovec iov = {};
    if (src->iovcnt == 0 || bpf_probe_read_user(&iov, sizeof(iov), (void *)src->ptr) != 0 ||
        iov.iov_len < n)
      return false;
    at = (__u64)iov.iov_base;
  }
  if (n > 24) return false;
  return bpf_probe_read_user(buf, n, (void *)at) == 0;
}

/* "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" as three little-endian words. */
#define HG_H2_PREFACE_0 0x5448202a20495250ull /* "PRI * HT" */
#define HG_H2_PREFACE_1 0x0a0d302e322f5054ull /* "TP/2.0\r\n" */
#define HG_H2_PREFACE_2 0x0a0d0a0d4d530a0dull /* "\r\nSM\r\n\r\n" */

/* An HTTP/2 connection starts with the client's preface. Seen at a stream's
 * start, it switches the connection to full capture at once: one missing
 * header-block byte desynchronises HPACK for the rest of the connection, and
 * user space's policy would come too late for the first requests. */
static __always_inline void detect_h2_preface(struct conn_state *c, const struct io_src *src,
                                              __u8 *buf) {
  if (!peek_head(src, buf, 24)) return;
  const __u64 *w = (const __u64 *)buf;
  if (w[0] == HG_H2_PREFACE_0 && w[1] == HG_H2_PREFACE_1 && w[2] == HG_H2_PREFACE_2)
    c->mode = HG_CAPTURE_FULL;
}

/* A TLS record header: content type 20..23 (change_cipher_spec, alert,
 * handshake, application_data), then version 3.0 to 3.4. No text protocol
 * starts with those control bytes, so a connection whose first bytes Hugin
 * sees are this is TLS, whether it saw the handshake or joined mid-stream. */
static __always_inline bool looks_like_tls(const struct io_src *src, __u8 *buf) {
  if (!peek_head(src, buf, 3)) return false;
  return buf[0] >= 20 && buf[0] <= 23 && buf[1] == 3 && buf[2] <= 4;
}

/* The queue time stamp (sk_data_ready) an ingress call consumes. */
static __always_inline __u64 take_arrival(const struct conn_state *c, __u8 dir) {
  if (dir != HG_INGRESS || !c->sk) return 0;
  __u64 sk = c->sk;
  struct arrival *arr = bpf_map_lookup_elem(&data_arrival, &sk);
  if (!arr) return 0;
  __u64 v = arr->ns;
  arr->ns = 0;
  return v;
}

/* A syscall on a TLS connection: when the thread is inside a TLS library call,
 * this is the call's socket; a read outside a call is remembered as the
 * thread's last (see struct tls_thread). `arrival`: the read's queue time
 * stamp, which the plaintext it carries inherits. */
static __always_inline void tls_note_syscall(int fd, __u8 dir, __u64 arrival) {
  __u64 id = bpf_get_current_pid_tgid();
  __u64 now = bpf_ktime_get_ns();
  dir &= 1;
  struct tls_thread *t = bpf_map_lookup_elem(&tls_threads, &id);
  if (t) {
    if (dir == HG_INGRESS) {
      t->last_io_ns[HG_INGRESS] = now;
      t->last_io_fd[HG_INGRESS] = fd;
    } else {
      t->last_io_ns[HG_EGRESS] = now;
      t->last_io_fd[HG_EGRESS] = fd;
    }
    if (t->in_call) {
      if (t->call_fd < 0) t->call_fd = fd;
      if (!t->call_arrival) t->call_arrival = arrival;
    } else if (dir == HG_INGRESS) {
      t->last_read_fd = fd;
      t->last_arrival = arrival;
    }
  } else {
    struct tls_thread fresh = {.call_fd = -1, .last_read_fd = -1, .last_io_fd = {-1, -1}};
    if (dir == HG_INGRESS) {
      fresh.last_io_ns[HG_INGRESS] = now;
      fresh.last_io_fd[HG_INGRESS] = fd;
      fresh.last_read_fd = fd;
      fresh.last_arrival = arrival;
    } else {
      fresh.last_io_ns[HG_EGRESS] = now;
      fresh.last_io_fd[HG_EGRESS] = fd;
    }
    bpf_map_update_elem(&tls_threads, &id, &fresh, BPF_NOEXIST);
  }
}

/* Re-reads the connection's capture policy when the cached one is older than
 * cfg_policy_recheck_ns. An entry for another generation (an earlier
 * connection on the same fd) does not apply. */
static __always_inline void refresh_policy(__u32 tgid, int fd, struct conn_state *c, __u64 now) {
  if (now - c->policy_ns < cfg_policy_recheck_ns) return;
  c->policy_ns = now;
  struct conn_key k = {.tgid = tgid, .fd = fd};
  struct hg_conn_policy *p = bpf_map_lookup_elem(&conn_policy, &k);
  if (p && p->generation == c->generation && p->tls == c->tls) c->mode = p->mode;
}

/* A data syscall's arguments, as the dispatcher read them from pt_regs. */
enum io_kind { IO_BUF = 0, IO_IOV = 1, IO_MSG = 2 };
struct io_args {
  __u64 ptr;      /* buffer, iovec array or user_msghdr */
  __u64 sk;       /* struct sock * when the hook knows it (the socket path), else 0 */
  __u32 iovcnt;
  __s32 fd;
  __u8 kind;      /* enum io_kind */
  __u8 syscall;   /* enum hg_syscall */
  __u8 dir;       /* enum hg_direction */
};


static long emit_slice(__u64 i, void *ctx) {
  __u32 zero = 0;
  struct data_scratch *s = bpf_map_lookup_elem(&scratch, &zero);
  if (!s) return 1;
  const struct slice_ctx *x = &s->call;
  struct hg_data_event *e = (struct hg_data_event *)s->raw;
  __u8 *buf = s->raw + sizeof(*e);
  if (i >= HG_MAX_SLICES) return 1;
  const __u32 off = (__u32)i * HG_MAX_PAYLOAD;
  if (off > x->len) return 1;
  const __u32 seg = i + 1 == x->slices ? x->len - off : HG_MAX_PAYLOAD;
  __u32 want = x->full ? HG_MAX_PAYLOAD : cfg_payload_bytes;
  if (want > HG_MAX_PAYLOAD) want = HG_MAX_PAYLOAD;
  if (want > seg) want = seg;
  e->h.type = HG_EV_DATA;
  e->h.role = x->role;
  e->h.dir = x->dir;
  e->h.syscall = x->syscall;
  e->h.tid = (__u32)bpf_get_current_pid_tgid();
  e->h.ts_ns = x->now;
  e->h.conn.tgid = x->tgid;
  e->h.conn.fd = x->fd;
  e->h.conn.generation = x->generation;
  e->h.flags = x->flags;
  __builtin_memset(e->h._pad, 0, sizeof(e->h._pad));
  e->pos = x->pos + off;
  e->len = seg;
  e->arrival_ns = i == 0 ? x->arrival : 0;
  __u32 got = copy_at(buf, &x->src, off, want);
  if (got < want) {
    /* Not a loss: the record still says how many bytes the call moved. */
    e->h.flags |= HG_FLAG_SHORT_COPY;
    count(HG_CNT_PAYLOAD_SHORT_COPY);
  }
  if (got < seg) count(HG_CNT_PAYLOAD_TRUNCATED);
  if (got > HG_MAX_PAYLOAD) got = HG_MAX_PAYLOAD;
  e->captured = got;
  const __u64 size = sizeof(*e) + verifier_bound(got);
  if (bpf_ringbuf_output(&events, e, size, wakeup_flags_before_output(size)) != 0) {
    count(HG_CNT_DROP_RINGBUF);
    note_loss_of(x->tgid, x->fd, x->generation, x->sk, x->dir, seg, x->now);
    return 1;
  }
  count(HG_CNT_EVENTS);
  return 0;
}

/* Writes the records of one data call: bytes [pos, pos + len) of one
 * direction of connection (tgid, fd), from `src`.
 * Head capture: one record, the first cfg_payload_bytes. Full capture: one
 * record per HG_MAX_PAYLOAD slice of the call, up to cfg_full_slices; the last
 * record's length covers the rest of the call, so positions stay contiguous
 * and only bytes past the last slice go uncaptured (counted). */
static __always_inline void emit_call(const struct conn_state *c, __u32 tgid, int fd,
                                      const struct io_src *src, __u64 pos, __u32 len, __u8 dir,
                                      __u8 syscall, __u8 flags, __u64 now, __u64 arrival,
                                      bool full) {
  __u32 zero = 0;
  struct data_scratch *s = bpf_map_lookup_elem(&scratch, &zero);
  if (!s) return;
  struct slice_ctx *x = &s->call;
  x->src = *src;
  x->pos = pos;
  x->now = now;
  x->arrival = arrival;
  x->generation = c->generation;
  x->sk = c->sk;
  x->tgid = tgid;
  x->fd = fd;
  x->len = len;
  x->slices = 1;
  x->dir = dir;
  x->syscall = syscall;
  x->role = c->role;
  x->full = full;
  x->flags = flags;
  if (full) {
    __u32 slices = (len + HG_MAX_PAYLOAD - 1) / HG_MAX_PAYLOAD;
    x->slices = slices > cfg_full_slices ? cfg_full_slices : slices;
  }
  /* bpf_loop even for one record, so the verifier checks emit_slice in one context only; and
   * for the slices of a full capture, once, not once per slice. */
  bpf_loop(x->slices, emit_slice, NULL, 0);
}

#include "http1_agg.bpf.h"

static __always_inline int io_exit(__u32 tgid, long ret, struct io_args args) {
  if (ret <= 0) return 0;

  struct conn_state *c = conn_lookup(tgid, args.fd, args.syscall, args.sk, args.dir, ret);
  if (!c) return 0;
  /* Records and policy name the connection by its identity: on the socket path, a socket
   * shared by fds (dup) or processes is one connection, named by its first. */
  tgid = c->tgid;
  const int fd = c->fd;
  __u8 dir = args.dir & 1;
  __u64 pos = c->pos[dir];
  c->pos[dir] = pos + ret;
  if (cfg_probe_stage == HG_STAGE_LOOKUP) return 0;
  if (c->tls) {
    /* Ciphertext: its plaintext comes from the TLS library's uprobes. */
    tls_note_syscall(args.fd, dir, take_arrival(c, dir));
    count(HG_CNT_TLS_CIPHERTEXT_CALLS);
    return 0;
  }
  const __u64 now = bpf_ktime_get_ns();
  refresh_policy(tgid, fd, c, now);
  if (c->mode == HG_CAPTURE_OFF) {
    count(HG_CNT_POLICY_OFF_CALLS);
    return 0;
  }

  __u32 zero = 0;
  struct data_scratch *s = bpf_map_lookup_elem(&scratch, &zero);
  if (!s) return 0;
  __u8 *buf = s->raw + sizeof(struct hg_data_event);

  struct io_src src = {.ptr = args.ptr, .iovcnt = args.iovcnt, .is_iov = args.kind != IO_BUF};
  if (args.kind == IO_MSG) {
    /* Two fields, not the whole msghdr: this frame shares the verifier's 512-byte stack budget
     * with its callees (6.1 counts it against 4 frames). */
    const struct user_msghdr *msg = (const struct user_msghdr *)args.ptr;
    /* msg_iovlen's low half (x86 is little-endian; no iovec array has 2^32 entries). */
    if (bpf_probe_read_user(&src.ptr, sizeof(src.ptr), &msg->msg_iov) != 0 ||
        bpf_probe_read_user(&src.iovcnt, sizeof(src.iovcnt), &msg->msg_iovlen) != 0)
      src.iovcnt = 0;
  }
  const __u32 len = ret > 0xffffffffL ? 0xffffffffU : (__u32)ret;
  if (cfg_probe_stage == HG_STAGE_HEADS) {
    copy_head(&src, len);
    return 0;
  }
  if (pos == 0 && len >= 3 && looks_like_tls(&src, buf)) {
    /* One record says so to user space (HG_FLAG_CIPHERTEXT); the connection's
     * later syscalls are counted, not recorded. */
    c->tls = 1;
    c->mode = HG_CAPTURE_HEAD; /* for the plaintext */
    tls_note_syscall(args.fd, dir, take_arrival(c, dir));
    emit_call(c, tgid, fd, &src, pos, len, dir, args.syscall, HG_FLAG_CIPHERTEXT, now, 0,
              false);
    return 0;
  }
  if (pos == 0 && c->mode == HG_CAPTURE_HEAD && len >= 24) detect_h2_preface(c, &src, buf);
  if (c->k_phase != K_OFF) {
    if (c->mode == HG_CAPTURE_HEAD) {
      struct k_call k = {.src = src, .pos = pos, .now = now, .tgid = tgid, .len = len,
                         .fd = fd, .dir = dir};
      if (k_step(c, &k)) return 0;
    } else {
      k_handover(tgid, fd, c, K_OFF); /* HTTP/2: full capture */
    }
  }
  __u8 flags = 0;
  if (c->k_resume & (1 << dir)) {
    flags = HG_FLAG_RESUME;
    c->k_resume &= ~(1 << dir);
  }
  emit_call(c, tgid, fd, &src, pos, len, dir, args.syscall, flags, now, take_arrival(c, dir),
            c->mode == HG_CAPTURE_FULL);
  return 0;
}

#endif /* HUGIN_BPF_DATA_H */
