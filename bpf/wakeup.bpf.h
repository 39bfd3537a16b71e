/* When a ring buffer record wakes the reader; shared with tests/bpf's
 * producer, which checks it on a real ring. */
#ifndef HUGIN_BPF_WAKEUP_H
#define HUGIN_BPF_WAKEUP_H

/* One wakeup each time a record takes the unread data across a multiple of
 * `step` bytes, none otherwise (the reader also drains on its poll timeout).
 * Not "wake while at least `step` bytes wait": until the reader ran, that woke
 * it again for every record, and a wakeup is an irq_work self-IPI (in a VM, an
 * APIC write that exits to the hypervisor; perf of the Go server under wrk put
 * 23% of hg_sys_exit's samples there; bpf_stats: 1208 -> 1059 ns of BPF per
 * request). A crossing that two CPUs race past unseen is caught at the next
 * multiple or by the poll timeout.
 * `unread_before`: unread bytes before this record; `size`: its length (the
 * ring adds an 8-byte header). */
static __always_inline __u64 hg_wakeup_flags(__u64 unread_before, __u64 size, __u64 step) {
  if (step == 0) step = 1;
  return (unread_before + size + 8) / step != unread_before / step ? BPF_RB_FORCE_WAKEUP
                                                                     : BPF_RB_NO_WAKEUP;
}

#endif /* HUGIN_BPF_WAKEUP_H */
