/* Queue time: the first moment unread data sat on a tracked socket. The next
 * read on that socket takes the timestamp as its arrival_ns. A BTF tracepoint:
 * it runs for every socket on the machine, and the classic form would build a
 * perf record for each before the map lookup rejects it. */
#include "../common.bpf.h"

SEC("tp_btf/sk_data_ready")
int BPF_PROG(hg_data_ready, const struct sock *sk_ptr) {
  /* Most sockets are not Hugin's: two loads and out. */
  if (!sk_filter[sk_slot_of_ports(sk_ptr->__sk_common.skc_portpair)]) return 0;
  __u64 sk = (__u64)sk_ptr;
  struct arrival *arr = bpf_map_lookup_elem(&data_arrival, &sk);
  if (arr && arr->ns == 0) arr->ns = bpf_ktime_get_ns();
  return 0;
}
