/* A producer for RingReader's tests: writes one record per BPF_PROG_TEST_RUN (or `repeat`
 * records), of the length asked, or reserves one and discards it. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "wakeup.bpf.h" /* bpf/, on the include path */

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 4096); /* the test may set another size before load */
} rb SEC(".maps");

struct produce_args {
  __u32 len;     /* bytes of `payload` to write, 4..2047 */
  __u32 discard; /* 1: reserve 100 bytes, then discard them */
  __u32 seq;     /* written over the first 4 bytes */
  __u32 flags;   /* BPF_RB_NO_WAKEUP / BPF_RB_FORCE_WAKEUP / 0, or HG_TEST_AGENT_WAKEUP */
  __u32 step;    /* HG_TEST_AGENT_WAKEUP: the agent's wakeup step (cfg_wakeup_bytes) */
};

/* flags: decide as the agent's programs do (bpf/wakeup.bpf.h). */
#define HG_TEST_AGENT_WAKEUP 0x80000000u

char payload[2048]; /* user space fills it through the skeleton */

SEC("syscall")
int produce(struct produce_args *a) {
  if (a->discard) {
    __u32 *r = bpf_ringbuf_reserve(&rb, 100, 0);
    if (!r) return 1;
    *r = a->seq;
    bpf_ringbuf_discard(r, 0);
    return 0;
  }
  __u32 len = a->len & (sizeof(payload) - 1); /* a mask the verifier can follow */
  if (len < 4 || len != a->len) return 2;
  *(__u32 *)payload = a->seq;
  __u64 flags = a->flags;
  if (flags == HG_TEST_AGENT_WAKEUP)
    flags = hg_wakeup_flags(bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA), len, a->step);
  return bpf_ringbuf_output(&rb, payload, len, flags) ? 3 : 0;
}

char LICENSE[] SEC("license") = "GPL";
