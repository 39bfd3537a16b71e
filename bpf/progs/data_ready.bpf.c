/* Queue time: the first moment unread data sat on a tracked socket. The next
 * read on that socket takes the timestamp as its arrival_ns. */
#include "../common.bpf.h"

SEC("tracepoint/sock/sk_data_ready")
int hg_data_ready(struct trace_event_raw_sk_data_ready *ctx) {
  __u64 sk = (__u64)ctx->skaddr;
  __u64 *arr = bpf_map_lookup_elem(&data_arrival, &sk);
  if (arr && *arr == 0) *arr = bpf_ktime_get_ns();
  return 0;
}
