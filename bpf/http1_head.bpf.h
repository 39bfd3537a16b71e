/* Reading an HTTP/1 message head in the kernel (http1_agg.bpf.h): the request line's method,
 * the status line's code, where the head ends and how its body is framed.
 * Included by data.bpf.h (through http1_agg.bpf.h) after struct io_src and copy_at. */
#ifndef HUGIN_BPF_HTTP1_HEAD_H
#define HUGIN_BPF_HTTP1_HEAD_H

#include "common.bpf.h"

/* An offset into the head buffer, masked in asm so clang keeps the mask the verifier needs
 * (it drops a plain one it can prove redundant, and the verifier then sees no bound). */
static __always_inline __u64 hb(__u64 n) {
  asm volatile("%[n] &= 0x1ff" : [n] "+r"(n));
  return n;
}

/* What scan_head found in the head bytes it was given. */
struct head_scan {
  const __u8 *b; /* the head's bytes (scan_head's area: the verifier tracks it through the stack) */
  __u32 n;       /* bytes of the call in the buffer (<= HG_HEAD_BYTES) */
  __u32 at;      /* where the scan goes on */
  __u32 end;     /* head length including the blank line; 0 = not found */
  __u32 cl_at;   /* offset of the Content-Length value; 0 = no such header */
  __u8 te;       /* a Transfer-Encoding header: the body is not length-framed */
};

/* Unaligned loads of the head bytes (a map value or a global function's memory argument,
 * which x86's verifier lets be read at any alignment). In asm: clang assumes a __u8 * is
 * byte-aligned and turns an 8-byte memcpy into eight byte loads and fourteen shifts and ors,
 * which was half of scan_step's instructions. */
static __always_inline __u64 load64_at(const __u8 *p) {
  __u64 v;
  asm volatile("%[v] = *(u64 *)(%[p] + 0)" : [v] "=r"(v) : [p] "r"(p));
  return v;
}
static __always_inline __u32 load32_at(const __u8 *p) {
  __u32 v;
  asm volatile("%[v] = *(u32 *)(%[p] + 0)" : [v] "=r"(v) : [p] "r"(p));
  return v;
}
static __always_inline __u64 load64(const __u8 *b, __u32 off) { return load64_at(b + hb(off)); }

/* "content-" and "length:" / "transfer", lower case, little-endian; header names are case-insensitive. */
#define K_CONTENT_ 0x2d746e65746e6f63ull /* "content-" */
#define K_LENGTH_ 0x003a6874676e656cull  /* "length:" (7 bytes) */
#define K_TRANSFER 0x726566736e617274ull /* "transfer" */
#define K_LOWER 0x2020202020202020ull

/* The line starting at q (just after a CRLF): the blank line ends the head; note the
 * Content-Length and Transfer-Encoding headers. Returns 1 once the head's end is found. */
static __always_inline int scan_line(struct head_scan *s, const __u8 *b, __u32 q) {
  if (q + 2 <= s->n && b[hb(q)] == '\r' && b[hb(q + 1)] == '\n') {
    s->end = q + 2;
    return 1;
  }
  if (q + 16 > s->n) return 0; /* too short to be either header, or cut: the end decides */
  __u64 w = load64(b, q) | K_LOWER;
  if (w == K_CONTENT_) {
    if (((load64(b, q + 8) | K_LOWER) & 0x00ffffffffffffffull) == K_LENGTH_)
      s->cl_at = q + 15;
  } else if (w == K_TRANSFER) {
    s->te = 1;
  }
  return 0;
}

/* Bits set below the lowest set bit of m, counted without a branch (SWAR popcount of
 * (m & -m) - 1): BPF has no count-trailing-zeros, and a branch per byte multiplies the
 * verifier's paths. */
static __always_inline __u64 trailing_zeros(__u64 m) {
  __u64 v = (m & -m) - 1;
  v = v - ((v >> 1) & 0x5555555555555555ull);
  v = (v & 0x3333333333333333ull) + ((v >> 2) & 0x3333333333333333ull);
  v = (v + (v >> 4)) & 0x0f0f0f0f0f0f0f0full;
  return (v * 0x0101010101010101ull) >> 56;
}

/* One step of the scan: from s->at, the next '\r' within 8 bytes (the has-zero-byte trick on
 * word ^ "\r\r\r\r\r\r\r\r"; its lowest flag is always a true one), and the line after
 * it when it ends one. A step handles one word without a '\r' or one '\r': no unrolled
 * branches, so the verifier checks the callback in a few hundred instructions. Returns 1
 * when the scan is over (the head's end found, or the bytes run out). */
static long scan_step(__u64 i, void *ctx) {
  struct head_scan *s = ctx;
  const __u8 *b = s->b;
  const __u32 off = s->at;
  if (off >= s->n || off >= HG_HEAD_BYTES) return 1;
  __u64 x = load64(b, off) ^ 0x0d0d0d0d0d0d0d0dull;
  __u64 m = (x - 0x0101010101010101ull) & ~x & 0x8080808080808080ull;
  __u32 w = off;
  if (!m) {
    /* Two words a step when the first has no CR: a step costs about what a word's check
     * does (bytes past n may be looked at: the area has room, and a CR there ends the scan). */
    w = off + 8;
    x = load64(b, w) ^ 0x0d0d0d0d0d0d0d0dull;
    m = (x - 0x0101010101010101ull) & ~x & 0x8080808080808080ull;
    if (!m) {
      s->at = off + 16;
      return 0;
    }
  }
  const __u32 p = w + (__u32)(trailing_zeros(m) >> 3);
  s->at = p + 1;
  if (p + 1 >= s->n) return 1;
  if (b[hb(p + 1)] != '\n') return 0; /* a lone CR */
  return scan_line(s, b, p + 2);
}

/* Content-Length's value at `at` (spaces skipped); -1 when it is not a plain number that
 * ends inside the head. Unrolled: only scan_head (verified once) calls it. */
static __always_inline long parse_length(const __u8 *b, __u32 at, __u32 end) {
  long v = 0;
  int digits = 0;
#pragma unroll
  for (int k = 0; k < 12; k++) {
    __u32 p = at + k;
    if (p >= end) return -1;
    __u8 ch = b[hb(p)];
    if (ch == ' ' && digits == 0) continue;
    if (ch >= '0' && ch <= '9') {
      v = v * 10 + (ch - '0');
      digits++;
      continue;
    }
    return digits && (ch == '\r' || ch == ' ') ? v : -1;
  }
  return -1;
}

/* The scratch payload: where a call's first bytes are copied to be read. */
static __always_inline __u8 *head_buf(void) {
  __u32 zero = 0;
  struct data_scratch *sc = bpf_map_lookup_elem(&scratch, &zero);
  if (!sc) return NULL;
  /* A barrier: clang would otherwise add the offset before the null check, which 6.1 and 6.12
   * refuse ("pointer arithmetic on map_value_or_null"; 6.18 allows it). */
  asm volatile("" : "+r"(sc));
  return sc->raw + sizeof(struct hg_data_event);
}

/* Copies the call's first bytes, at most HG_HEAD_BYTES - 1 (so `hb(n)` is n: the verifier's
 * bound on later copies), to the scratch payload. Returns how many. */
static __always_inline __u32 copy_head(const struct io_src *src, __u32 len) {
  __u8 *b = head_buf();
  if (!b) return 0;
  return copy_at(b, src, 0, len < HG_HEAD_BYTES - 1 ? len : HG_HEAD_BYTES - 1);
}

/* The bytes scan_head reads: at least HG_HEAD_BYTES plus the 16 a last load may pass n by. */
struct head_area {
  __u8 bytes[HG_HEAD_BYTES + 16];
};

/* Finds the end of the head in the n bytes at `a` and its body framing, packed in one value
 * (scan_head_len, scan_head_body). Why packed, with one bpf_loop: with a `long *` out-parameter
 * and Content-Length parsed in a second bpf_loop here, Linux 6.1 got every Content-Length
 * wrong (kernel_http1_test failed in the 6.1 VM, passed on 6.12 and 6.18; not isolated
 * further), so this stays as plain as a global function can be.
 * A global function: the verifier checks it (and its bpf_loop callback) once, with `a` as
 * plain memory of its size, instead of once for every path that reaches a call of it; inlined,
 * the callback was verified thousands of times over. */
__noinline long scan_head(struct head_area *a, __u32 n) {
  if (!a || n < 16) return 0;
  struct head_scan s = {.b = a->bytes, .n = n};
  /* At most a step per word and one per CR: never more than HG_HEAD_BYTES steps. */
  bpf_loop(HG_HEAD_BYTES, scan_step, &s, 0);
  if (!s.end || s.end >= HG_HEAD_BYTES) return 0;
  const long body = s.te ? -1 : s.cl_at ? parse_length(a->bytes, s.cl_at, s.end) : 0;
  if (body > (1l << 30)) return s.end; /* too long to follow: not length-framed */
  return (long)s.end | ((body + 1) << 10);
}

/* The head's length in scan_head's value: 0 when the head is not all there. */
static __always_inline __u32 scan_head_len(long v) { return v & (HG_HEAD_BYTES * 2 - 1); }
/* Its body length: the Content-Length (0 without one), -1 when not length-framed. */
static __always_inline long scan_head_body(long v) { return (v >> 10) - 1; }

/* The request line's method id (hugin.h), from the first bytes at b: a known token and its
 * space. HG_METHOD_OTHER: not one Hugin knows. */
static __always_inline __u8 request_method(const __u8 *b) {
  const __u32 w = load32_at(b);
  __u8 id = HG_METHOD_OTHER, tlen = 0;
  switch (w) {
    case 0x4e4e4f43: id = 0, tlen = 7; break; /* CONNECT */
    case 0x454c4544: id = 1, tlen = 6; break; /* DELETE */
    case 0x20544547: id = 2, tlen = 3; break; /* GET */
    case 0x44414548: id = 3, tlen = 4; break; /* HEAD */
    case 0x4954504f: id = 4, tlen = 7; break; /* OPTIONS */
    case 0x43544150: id = 5, tlen = 5; break; /* PATCH */
    case 0x54534f50: id = 6, tlen = 4; break; /* POST */
    case 0x20545550: id = 7, tlen = 3; break; /* PUT */
    case 0x43415254: id = 8, tlen = 5; break; /* TRACE */
  }
  if (id == HG_METHOD_OTHER || b[tlen & 7] != ' ') return HG_METHOD_OTHER;
  return id;
}

/* "HTTP/1.x NNN " at b: the status, 0 if it is not a status line. */
static __always_inline __u16 response_status(const __u8 *b) {
  const __u64 w = load64_at(b);
  if ((w & 0xfeffffffffffffffull) != 0x302e312f50545448ull) return 0; /* "HTTP/1.0" or "1.1" */
  __u8 d0 = b[9] - '0', d1 = b[10] - '0', d2 = b[11] - '0';
  if (b[8] != ' ' || d0 < 1 || d0 > 5 || d1 > 9 || d2 > 9 || b[12] != ' ') return 0;
  return d0 * 100 + d1 * 10 + d2;
}

#endif /* HUGIN_BPF_HTTP1_HEAD_H */
