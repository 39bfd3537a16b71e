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

/* Copies up to `want` bytes from an iovec array into dst; returns bytes copied. */
static __always_inline __u32 copy_iov(__u8 *dst, __u64 iov_ptr, __u32 iovcnt, __u32 want) {
  __u32 off = 0;
  for (int i = 0; i < HG_MAX_IOV; i++) {
    if (i >= iovcnt || off >= want) break;
    struct iovec iov = {};
    if (bpf_probe_read_user(&iov, sizeof(iov), (void *)(iov_ptr + i * sizeof(iov))) != 0) break;
    __u64 n = iov.iov_len;
    if (n > want - off) n = want - off;
    if (n > HG_MAX_PAYLOAD) n = HG_MAX_PAYLOAD;
    if (n == 0) continue;
    /* off < want <= HG_MAX_PAYLOAD and n <= HG_MAX_PAYLOAD: dst has room for both. */
    if (bpf_probe_read_user(dst + offset_bound(off), verifier_bound(n), iov.iov_base) != 0)
      break;
    off += n;
  }
  return off;
}

/* Re-reads the connection's capture policy when the cached one is older than
 * cfg_policy_recheck_ns. An entry for another generation (an earlier
 * connection on the same fd) does not apply. */
static __always_inline void refresh_policy(__u32 tgid, int fd, struct conn_state *c, __u64 now) {
  if (now - c->policy_ns < cfg_policy_recheck_ns) return;
  c->policy_ns = now;
  struct conn_key k = {.tgid = tgid, .fd = fd};
  struct hg_conn_policy *p = bpf_map_lookup_elem(&conn_policy, &k);
  if (p && p->generation == c->generation) c->mode = p->mode;
}

/* A data syscall's arguments, as the dispatcher read them from pt_regs. */
enum io_kind { IO_BUF = 0, IO_IOV = 1, IO_MSG = 2 };
struct io_args {
  __u64 ptr;      /* buffer, iovec array or user_msghdr */
  __u32 iovcnt;
  __s32 fd;
  __u8 kind;      /* enum io_kind */
  __u8 syscall;   /* enum hg_syscall */
  __u8 dir;       /* enum hg_direction */
};

static __always_inline int io_exit(__u32 tgid, long ret, struct io_args args) {
  if (ret <= 0) return 0;

  struct conn_state *c = conn_lookup(tgid, args.fd, args.syscall);
  if (!c) return 0;
  __u8 dir = args.dir & 1;
  __u64 pos = c->pos[dir];
  c->pos[dir] = pos + ret;
  const __u64 now = bpf_ktime_get_ns();
  refresh_policy(tgid, args.fd, c, now);
  if (c->mode == HG_CAPTURE_OFF) {
    count(HG_CNT_POLICY_OFF_CALLS);
    return 0;
  }

  __u32 zero = 0;
  struct data_scratch *s = bpf_map_lookup_elem(&scratch, &zero);
  if (!s) return 0;
  struct hg_data_event *e = (struct hg_data_event *)s->raw;
  __u8 *buf = s->raw + sizeof(*e);
  fill_header_at(&e->h, HG_EV_DATA, tgid, args.fd, c, now);
  e->h.dir = dir;
  e->h.syscall = args.syscall;
  e->pos = pos;
  e->len = ret > 0xffffffffL ? 0xffffffffU : (__u32)ret;
  e->arrival_ns = 0;
  if (dir == HG_INGRESS && c->sk) {
    __u64 sk = c->sk;
    __u64 *arr = bpf_map_lookup_elem(&data_arrival, &sk);
    if (arr) {
      e->arrival_ns = *arr;
      *arr = 0;
    }
  }

  __u32 want = c->mode == HG_CAPTURE_FULL ? HG_MAX_PAYLOAD : cfg_payload_bytes;
  if (want > HG_MAX_PAYLOAD) want = HG_MAX_PAYLOAD;
  if (want > e->len) want = e->len;
  __u32 got = 0;
  if (args.kind == IO_BUF) {
    if (want > 0 && bpf_probe_read_user(buf, verifier_bound(want),
                                        (void *)args.ptr) == 0)
      got = want;
  } else {
    __u64 iov_ptr = args.ptr;
    __u32 iovcnt = args.iovcnt;
    if (args.kind == IO_MSG) {
      struct user_msghdr msg = {};
      if (bpf_probe_read_user(&msg, sizeof(msg), (void *)args.ptr) == 0) {
        iov_ptr = (__u64)msg.msg_iov;
        iovcnt = msg.msg_iovlen;
      } else {
        iovcnt = 0;
      }
    }
    got = copy_iov(buf, iov_ptr, iovcnt, want);
  }
  if (got < want) {
    /* Not a loss: the record still says how many bytes the call moved. */
    e->h.flags |= HG_FLAG_SHORT_COPY;
    count(HG_CNT_PAYLOAD_SHORT_COPY);
  }
  if (got < e->len) count(HG_CNT_PAYLOAD_TRUNCATED);
  if (got > HG_MAX_PAYLOAD) got = HG_MAX_PAYLOAD;
  e->captured = got;
  if (bpf_ringbuf_output(&events, e, sizeof(*e) + verifier_bound(got), wakeup_flags()) != 0) {
    count(HG_CNT_DROP_RINGBUF);
    note_loss(tgid, args.fd, c, dir, (__u64)ret, e->h.ts_ns);
    return 0;
  }
  count(HG_CNT_EVENTS);
  return 0;
}

#endif /* HUGIN_BPF_DATA_H */
