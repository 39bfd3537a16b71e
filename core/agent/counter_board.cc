#include "core/agent/counter_board.h"

namespace hugin {

void CounterBoard::Publish(const TrackerStats& tracker, const LoopTallies& loop) {
  std::lock_guard<std::mutex> l(mu_);
  tracker_ = tracker;
  loop_ = loop;
}

AgentCounters CounterBoard::Snapshot(const KernelCounters& k) const {
  std::lock_guard<std::mutex> l(mu_);
  AgentCounters c;
  c.events_received = tracker_.records;
  // Spans handed to the exporters, not spans made: one dropped on purpose (HUGIN_FAULT) must
  // look as if it was never seen.
  c.spans = loop_.spans_exported;
  c.parse_errors = tracker_.parse_errors + tracker_.decode_errors;
  c.stream_gaps = tracker_.stream_gaps;
  // Requests whose answer never came whole: parsed ones, and those the kernel was following
  // when their connection ended (HTTP/1 metrics aggregated in the kernel).
  c.unpaired_requests = tracker_.unmatched_requests + k[HG_CNT_KERNEL_UNANSWERED];
  c.payload_truncated = k[HG_CNT_PAYLOAD_TRUNCATED];
  c.payload_short_copy = k[HG_CNT_PAYLOAD_SHORT_COPY];
  c.kernel_drops["ringbuf_full"] = k[HG_CNT_DROP_RINGBUF];
  c.kernel_drops["conn_map_full"] = k[HG_CNT_DROP_CONN_MAP];
  // A TLS library call whose socket was not found: its plaintext never became a record.
  c.kernel_drops["tls_no_connection"] = k[HG_CNT_TLS_NO_CONN];
  // HTTP/1 exchanges aggregated in the kernel (cfg_kernel_http1) that never made it into a
  // series: lost at a handover the kernel could not replay, or no room in map kernel_series.
  c.kernel_drops["kernel_handover"] = k[HG_CNT_KERNEL_LOST];
  c.kernel_drops["kernel_series_full"] = k[HG_CNT_KERNEL_SERIES_FULL];
  c.kernel_exchanges = k[HG_CNT_KERNEL_EXCHANGES];
  c.kernel_handovers = k[HG_CNT_KERNEL_HANDOVERS];  // not a loss: records follow
  c.conn_loss_reports = loop_.conn_loss_reports;
  c.conn_loss_map_full = k[HG_CNT_LOSS_MAP_FULL];
  c.unreported_exchanges = tracker_.unreported_exchanges;
  c.capture_off_conns = tracker_.capture_off_conns;
  c.capture_off_calls = k[HG_CNT_POLICY_OFF_CALLS];
  c.capture_policy_map_full = loop_.capture_policy_map_full;
  c.watched_pids = loop_.watched_pids;
  c.tls_conns = tracker_.tls_conns;
  c.tls_conns_without_plaintext = tracker_.tls_conns_without_plaintext;
  c.tls_calls = k[HG_CNT_TLS_CALLS];
  c.tls_ciphertext_calls = k[HG_CNT_TLS_CIPHERTEXT_CALLS];
  c.socket_calls_unseen = k[HG_CNT_SOCKET_CALLS_UNSEEN];
  c.stale_records = tracker_.stale_records;
  c.tls_unsupported = loop_.tls_unsupported;
  c.evictions["connection"] = tracker_.evictions.connections;
  c.evictions["in_flight_request"] = tracker_.evictions.in_flight_requests;
  c.evictions["header_bytes"] = tracker_.evictions.header_bytes;
  c.evictions["pending_pairing"] = tracker_.evictions.pending_pairings;
  c.tracked_connections = tracker_.open_conns;
  c.pending_pairings = tracker_.pending_pairings;
  return c;
}

}  // namespace hugin
