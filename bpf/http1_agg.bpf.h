/* HTTP/1 RED metrics aggregated in the kernel (cfg_kernel_http1: the agent produces no spans).
 *
 * Why: with one record per data syscall, a request costs two ring records, their copies and
 * their parse in user space, on the service's CPU. When only metrics are wanted, a server-side
 * exchange the kernel can frame updates a histogram here and writes nothing.
 *
 * What the kernel frames: a request whose head (request line to the blank line) is in the first
 * HG_HEAD_BYTES - 1 bytes of one read, with a body of Content-Length bytes or none; then an
 * answer whose head is in the first HG_HEAD_BYTES - 1 bytes of one write, with Content-Length,
 * or no body (HEAD, 204, 304). Anything else is handed back to user space: the exchange is
 * recorded (its request replayed from kernel_heads when the kernel had consumed it), the first
 * record of each direction flagged HG_FLAG_RESUME, and the kernel takes the connection's next
 * request again once the handed-back one was answered (K_USER). Pipelining goes back for good
 * (K_OFF): the kernel could no longer tell whose answer a write is. Only a handover in the
 * middle of an answer body loses an exchange (counted in HG_CNT_KERNEL_LOST).
 *
 *   phase        on a read (ingress)                     on a write (egress)
 *   K_IDLE       a request: -> K_REQ_BODY / K_RESP_WAIT  K_OFF (the server speaks first)
 *                not one: -> K_USER (K_OFF at byte 0)
 *   K_REQ_BODY   body bytes; all in -> K_RESP_WAIT       K_USER (early answer), replay
 *   K_RESP_WAIT  K_OFF (pipelined), replay               an answer: -> K_RESP_BODY / done;
 *                                                        not framed: K_USER, replay
 *   K_RESP_BODY  K_OFF, exchange lost                    body bytes; all out -> done (K_IDLE)
 *   K_USER       after an answer: a request it can        recorded (a 1xx is no answer)
 *                frame -> as K_IDLE; else recorded
 *   K_OFF        recorded                                recorded
 */
#ifndef HUGIN_BPF_HTTP1_AGG_H
#define HUGIN_BPF_HTTP1_AGG_H

/* Included by data.bpf.h after struct io_src, copy_at, peek_head and take_arrival. */
#include "common.bpf.h"
#include "http1_head.bpf.h"

static const __u64 k_duration_bounds_ns[HG_DURATION_BUCKETS - 1] = {
    0, 5000000, 10000000, 25000000, 50000000, 75000000, 100000000, 250000000, 500000000,
    750000000, 1000000000, 2500000000ull, 5000000000ull, 7500000000ull, 10000000000ull};
static const __u64 k_size_bounds[HG_SIZE_BUCKETS - 1] = {0,   32,   64,   128,  256,
                                                          512, 1024, 2048, 4096, 8192};

static __always_inline __u32 bucket_of(const __u64 *bounds, __u32 nbounds, __u64 v) {
  for (__u32 i = 0; i < nbounds; i++)
    if (v <= bounds[i]) return i;
  return nbounds;
}

/* The exchange is complete: into its series. */
static __always_inline void k_finish(__u32 tgid, struct conn_state *c) {
  struct hg_kernel_series_key key = {.tgid = tgid, .server_port = c->lport,
                                     .status = c->k_status, .method = c->k_method,
                                     .role = HG_ROLE_SERVER};
  c->k_phase = K_IDLE;
  struct hg_kernel_series *v = bpf_map_lookup_elem(&kernel_series, &key);
  if (!v) {
    __u32 zero = 0;
    struct hg_kernel_series *z = bpf_map_lookup_elem(&zero_series, &zero);
    if (!z) return;
    bpf_map_update_elem(&kernel_series, &key, z, BPF_NOEXIST);
    v = bpf_map_lookup_elem(&kernel_series, &key);
    if (!v) {
      count(HG_CNT_KERNEL_SERIES_FULL);
      return;
    }
  }
  const __u64 d = c->k_end > c->k_start ? c->k_end - c->k_start : 0;
  v->count++;
  v->duration_sum_ns += d;
  v->duration_buckets[bucket_of(k_duration_bounds_ns, HG_DURATION_BUCKETS - 1, d) &
                      (HG_DURATION_BUCKETS - 1)]++;
  v->request_body_sum += c->k_req_body;
  __u32 b = bucket_of(k_size_bounds, HG_SIZE_BUCKETS - 1, c->k_req_body);
  if (b < HG_SIZE_BUCKETS) v->request_body_buckets[b]++;
  v->response_body_sum += c->k_resp_body;
  b = bucket_of(k_size_bounds, HG_SIZE_BUCKETS - 1, c->k_resp_body);
  if (b < HG_SIZE_BUCKETS) v->response_body_buckets[b]++;
  count(HG_CNT_KERNEL_EXCHANGES);
}

/* Writes the held request head as the ingress record the request would have been. */
static __always_inline bool replay_request(__u32 tgid, int fd, const struct conn_state *c) {
  struct conn_key k = {.tgid = tgid, .fd = fd};
  struct kernel_head *h = bpf_map_lookup_elem(&kernel_heads, &k);
  __u32 zero = 0;
  struct data_scratch *sc = bpf_map_lookup_elem(&scratch, &zero);
  if (!h || !sc || h->generation != c->generation) return false;
  struct hg_data_event *e = (struct hg_data_event *)sc->raw;
  __u32 n = h->len;
  if (n > cfg_payload_bytes) n = cfg_payload_bytes;
  if (n > HG_HEAD_BYTES - 1) n = HG_HEAD_BYTES - 1;
  fill_header_at(&e->h, HG_EV_DATA, tgid, fd, c, c->k_req_ts);
  e->h.dir = HG_INGRESS;
  e->h.syscall = HG_SYS_READ;
  e->h.flags = HG_FLAG_RESUME;
  e->pos = c->k_req_pos;
  e->arrival_ns = c->k_start != c->k_req_ts ? c->k_start : 0;
  e->len = c->k_req_seen;
  e->captured = n;
  if (bpf_probe_read_kernel(sc->raw + sizeof(*e), hb(n), h->bytes) != 0)
    return false;
  const __u64 size = sizeof(*e) + (hb(n));
  if (bpf_ringbuf_output(&events, e, size, wakeup_flags_before_output(size)) != 0) {
    count(HG_CNT_DROP_RINGBUF);
    note_loss(tgid, fd, c, HG_INGRESS, c->k_req_seen, c->k_req_ts);
    return true; /* counted as a ring loss, like any record */
  }
  count(HG_CNT_EVENTS);
  return true;
}

/* The kernel stops aggregating the connection's exchanges: its calls are recorded from here,
 * until (next == K_USER) the kernel can take a request again. Replays the request in flight
 * when there is one whose response has not started. */
static __always_inline void k_handover(__u32 tgid, int fd, struct conn_state *c, __u8 next) {
  const __u8 phase = c->k_phase;
  c->k_phase = next;
  c->k_user_egress = 0;
  if (phase == K_USER || phase == K_OFF) return;
  if (!c->k_consumed) return; /* nothing hidden from user space since the last handover */
  c->k_consumed = 0;
  count(HG_CNT_KERNEL_HANDOVERS);
  c->k_resume = 3;
  if (phase == K_REQ_HEAD || phase == K_REQ_BODY || phase == K_RESP_WAIT) {
    if (replay_request(tgid, fd, c))
      c->k_resume = 1 << HG_EGRESS; /* the replayed record was the ingress resume */
    else
      count(HG_CNT_KERNEL_LOST);
  } else if (phase == K_RESP_BODY) {
    count(HG_CNT_KERNEL_LOST);
  }
}

/* Keeps the n bytes of request head at `from` (scratch) for a replay, or for the rest of a
 * head split over reads. */
static __always_inline bool hold_head(__u32 tgid, int fd, const struct conn_state *c,
                                      const __u8 *from, __u32 n) {
  struct conn_key k = {.tgid = tgid, .fd = fd};
  struct kernel_head *h = bpf_map_lookup_elem(&kernel_heads, &k);
  if (!h) {
    /* The value is not zeroed first: len says how much of it counts. */
    bpf_map_update_elem(&kernel_heads, &k, from, BPF_ANY);
    h = bpf_map_lookup_elem(&kernel_heads, &k);
    if (!h) return false;
  }
  h->generation = c->generation;
  h->len = n;
  return bpf_probe_read_kernel(h->bytes, hb(n), from) == 0;
}

/* The head bytes held for (tgid, fd) followed by the call's first bytes (at the scratch
 * payload), joined at the scratch payload + K_JOINED. Returns the joined length; 0 when
 * nothing is held for this connection or the two do not fit in HG_HEAD_BYTES - 1. */
#define K_JOINED (2 * HG_HEAD_BYTES)
static __always_inline __u32 join_head(__u32 tgid, int fd, const struct conn_state *c,
                                       __u8 *b, __u32 m) {
  struct conn_key k = {.tgid = tgid, .fd = fd};
  struct kernel_head *h = bpf_map_lookup_elem(&kernel_heads, &k);
  if (!h || h->generation != c->generation) return 0;
  const __u32 held = h->len;
  if (held + m > HG_HEAD_BYTES - 1) return 0;
  if (bpf_probe_read_kernel(b + K_JOINED, hb(held), h->bytes) != 0 ||
      bpf_probe_read_kernel(b + K_JOINED + hb(held), hb(m), b) != 0)
    return 0;
  return held + m;
}

enum k_verdict { K_TAKEN = 0, K_NOT_FRAMED, K_PIPELINED, K_NOT_REQUEST, K_PARTIAL };

/* Judges the n bytes at b, the first n of `all` bytes read since the request's start: a
 * request the kernel can frame (K_TAKEN: *head, *body, *method set); the start of one whose
 * head is still coming (K_PARTIAL: everything read is here and short of HG_HEAD_BYTES; Go's
 * net/http reads a request's first byte alone when its background read is pending); one it
 * cannot frame (K_NOT_FRAMED: a chunked body, a head too long); no request line of a method
 * Hugin knows (K_NOT_REQUEST); or more bytes than one request (K_PIPELINED: the client does not
 * wait for answers, so the kernel can never again tell whose answer a write is). */
static __always_inline __u8 judge_request(const __u8 *b, __u32 n, __u32 all, __u32 *head,
                                          long *body, __u8 *method) {
  const bool whole = n == all && n < HG_HEAD_BYTES - 1;
  if (n < 16) return whole && b[0] >= 'A' && b[0] <= 'Z' ? K_PARTIAL : K_NOT_REQUEST;
  *method = request_method(b);
  if (*method == HG_METHOD_OTHER) return K_NOT_REQUEST;
  const long scanned = scan_head((struct head_area *)b, n);
  *head = scan_head_len(scanned);
  *body = scan_head_body(scanned);
  if (!*head) return whole ? K_PARTIAL : K_NOT_FRAMED;
  if (*body < 0 || *body > (1l << 30)) return K_NOT_FRAMED;
  if (*head + *body < all) return K_PIPELINED;
  return K_TAKEN;
}

/* A request judged K_TAKEN: follow its body, then its answer. */
static __always_inline void k_take(struct conn_state *c, __u8 method, __u32 head, long body) {
  c->k_method = method;
  c->k_req_total = head + body;
  c->k_req_body = body;
  c->k_phase = c->k_req_seen == c->k_req_total ? K_RESP_WAIT : K_REQ_BODY;
}

/* A read at a message start (K_IDLE, K_USER) or continuing a request head held in K_REQ_HEAD
 * (`more`: the held bytes and this read's are judged joined). A request is taken, or held
 * while its head is still coming (-> K_REQ_HEAD): K_TAKEN; otherwise the verdict says why not. */
static __always_inline __u8 k_request(__u32 tgid, int fd, struct conn_state *c,
                                      const struct io_src *src, __u64 pos, __u32 len, __u64 now,
                                      bool more) {
  __u8 *b = head_buf();
  if (!b) return K_NOT_FRAMED;
  const __u32 m = copy_head(src, len);
  __u32 n = m, all = len;
  const __u8 *at = b;
  if (more) {
    n = m == len ? join_head(tgid, fd, c, b, m) : 0;
    all = c->k_req_seen + len;
    at = b + K_JOINED;
  }
  if (!n) return K_NOT_FRAMED;
  __u32 head = 0;
  long body = 0;
  __u8 method = HG_METHOD_OTHER;
  const __u8 v = judge_request(at, n, all, &head, &body, &method);
  if (v != K_TAKEN && v != K_PARTIAL) return v;
  if (!hold_head(tgid, fd, c, at, n)) return K_NOT_FRAMED;
  __u64 arrival = take_arrival(c, HG_INGRESS); /* a later read's own stamp is used up */
  if (!more) {
    c->k_req_pos = pos;
    c->k_req_ts = now;
    c->k_start = arrival ? arrival : now;
  }
  c->k_req_seen = all;
  if (v == K_PARTIAL)
    c->k_phase = K_REQ_HEAD;
  else
    k_take(c, method, head, body);
  return K_TAKEN;
}

/* A write answering the request: a response the kernel can frame, or a handover. */
static __always_inline bool k_response(__u32 tgid, struct conn_state *c, const struct io_src *src,
                                       __u32 len, __u64 now) {
  __u8 *b = head_buf();
  if (!b) return false;
  const __u32 n = copy_head(src, len);
  long body = 0;
  const __u16 status = response_status(b);
  const long scanned = status ? scan_head((struct head_area *)b, n) : 0;
  const __u32 head = scan_head_len(scanned);
  body = scan_head_body(scanned);
  if (!head || status < 200) return false;
  /* RFC 9112 6.3: no body for HEAD, 204 and 304, whatever the headers say. */
  if (c->k_method == 3 || status == 204 || status == 304) body = 0;
  if (body < 0 || body > (1l << 30) || head + body < len) return false;
  c->k_status = status;
  c->k_resp_total = head + body;
  c->k_resp_seen = len;
  c->k_resp_body = body;
  c->k_end = now;
  if (len == c->k_resp_total)
    k_finish(tgid, c);
  else
    c->k_phase = K_RESP_BODY;
  return true;
}

/* A data call, as k_step needs it. */
struct k_call {
  struct io_src src;
  __u64 pos, now;
  __u32 tgid, len;
  __s32 fd;
  __u8 dir;
};

/* A write of a connection handed back to user space: an answer (not a 1xx) lets the kernel
 * take the next request itself. */
static __always_inline void k_user_write(struct conn_state *c, const struct io_src *src,
                                         __u32 len) {
  __u8 head[12] = {};
  c->k_user_egress = 1;
  /* "HTTP/1.x 1": an interim answer (100 Continue); the request's body is still to come. */
  if (len >= 12 && peek_head(src, head, 12) && head[0] == 'H' && head[8] == ' ' && head[9] == '1')
    c->k_user_egress = 0;
}

/* One data call of a connection the kernel aggregates (or may again). 1: consumed, write no
 * record. A global function, so the verifier checks it once on its own, with `c` and `k` as
 * plain memory, instead of once per path of the syscall exit that reaches it: inlined (or
 * static), the exchange logic took the verifier from 26k to over 500k instructions. Being
 * its own frame also keeps the syscall exit's stack within the 512 bytes 6.1 allows. */
__noinline int k_step(struct conn_state *c, const struct k_call *k) {
  if (!c || !k) return 0;
  const __u32 tgid = k->tgid, len = k->len;
  const int fd = k->fd;
  const __u8 dir = k->dir;
  const __u64 pos = k->pos, now = k->now;
  const struct io_src *src = &k->src;
  const __u8 phase = c->k_phase;
  bool ok = false;
  __u8 next = K_USER;
  if (phase == K_USER && dir == HG_EGRESS) {
    k_user_write(c, src, len);
    return 0;
  }
  if (dir == HG_INGRESS && (phase == K_IDLE || phase == K_REQ_HEAD || phase == K_USER)) {
    /* Handed back (K_USER): the kernel takes a request again once the handed-back exchange
     * was answered (a write since), never in the middle of one (a body after 100 Continue). */
    if (phase == K_USER && !c->k_user_egress) return 0;
    c->k_user_egress = 0;
    const __u8 v = k_request(tgid, fd, c, src, pos, len, now, phase == K_REQ_HEAD);
    if (v == K_TAKEN) {
      c->k_consumed = 1;
      return 1;
    }
    if (phase == K_USER) {
      if (v == K_PIPELINED) c->k_phase = K_OFF;
      return 0;
    }
    /* Pipelined, or no request at the connection's start (not HTTP/1: a database, a server
     * that speaks first): the kernel never takes it, nor looks at it again. */
    const __u64 start = phase == K_REQ_HEAD ? c->k_req_pos : pos;
    k_handover(tgid, fd, c, v == K_PIPELINED || (v == K_NOT_REQUEST && start == 0) ? K_OFF : K_USER);
    return 0;
  }
  if (dir == HG_INGRESS) {
    if (phase == K_REQ_BODY && c->k_req_seen + len <= c->k_req_total) {
      /* The body's own sk_data_ready stamp is used up here, as a body record would: left
       * behind, it would pass for the next request's arrival (its queue time too long). */
      take_arrival(c, HG_INGRESS);
      c->k_req_seen += len;
      if (c->k_req_seen == c->k_req_total) c->k_phase = K_RESP_WAIT;
      ok = true;
    } else {
      next = K_OFF; /* a request before the answer: pipelining */
    }
  } else {
    /* The server speaks first, or answers a few bytes that never became a request line:
     * not HTTP/1. */
    if ((phase == K_IDLE && pos == 0) || (phase == K_REQ_HEAD && c->k_req_pos == 0)) next = K_OFF;
    if (phase == K_RESP_WAIT) {
      ok = k_response(tgid, c, src, len, now);
    } else if (phase == K_RESP_BODY && c->k_resp_seen + len <= c->k_resp_total) {
      c->k_resp_seen += len;
      c->k_end = now;
      if (c->k_resp_seen == c->k_resp_total) k_finish(tgid, c);
      ok = true;
    }
  }
  if (ok) {
    c->k_consumed = 1;
    return 1;
  }
  k_handover(tgid, fd, c, next);
  if (dir == HG_EGRESS && next == K_USER) k_user_write(c, src, len);
  return 0;
}

#endif /* HUGIN_BPF_HTTP1_AGG_H */
