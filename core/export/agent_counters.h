// Hugin's own health counters, filled by the agent and exposed next to the
// RED metrics (hugin_* families).
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace hugin {

struct AgentCounters {
  uint64_t events_received = 0;    // events read from the ring buffer
  uint64_t spans = 0;              // spans produced
  uint64_t parse_errors = 0;       // protocol parser rejections
  uint64_t stream_gaps = 0;        // byte-position gaps seen by the tracker (lost events)
  uint64_t unpaired_requests = 0;  // requests seen whole whose answer could not be paired
  uint64_t payload_truncated = 0;  // calls longer than the captured payload
  uint64_t payload_short_copy = 0; // payload copies that came up short (record still delivered)
  // Kernel per-CPU drop counters summed, by reason (ringbuf_full, conn_map_full,
  // tls_no_connection: records; kernel_handover, kernel_series_full: HTTP/1 exchanges the
  // kernel aggregation lost). Every key is exposed, zeros included, so
  // insert every reason the kernel side knows. Each one is a loss.
  std::map<std::string, uint64_t> kernel_drops;
  uint64_t kernel_exchanges = 0;   // HTTP/1 exchanges aggregated in the kernel (no records)
  uint64_t kernel_handovers = 0;   // connections the kernel handed back to user space
  uint64_t conn_loss_reports = 0;  // per-connection loss entries drained from the kernel
  uint64_t conn_loss_map_full = 0; // losses (in kernel_drops) that no connection report carries
  uint64_t unreported_exchanges = 0;  // seen by a parser but not reported (not seen whole,
                                      // or the protocol could not be decoded after a late attach)
  uint64_t capture_off_conns = 0;  // connections whose first bytes were no known protocol
  uint64_t capture_off_calls = 0;  // their data calls the kernel did not record
  uint64_t capture_policy_map_full = 0;  // capture-off requests map conn_policy had no room for
  uint64_t watched_pids = 0;       // gauge: pids currently selected
  uint64_t tls_conns = 0;          // connections seen carrying TLS
  uint64_t tls_conns_without_plaintext = 0;  // ... that ended without any plaintext seen
  uint64_t tls_calls = 0;          // TLS library calls that moved plaintext
  uint64_t tls_ciphertext_calls = 0;  // syscalls on TLS connections, not recorded
  uint64_t stale_records = 0;         // records of a connection its fd's next one replaced
  uint64_t socket_calls_unseen = 0;   // socket calls outside the data syscalls (socket path)
  // Memory-bound evictions by what was given up (connection, in_flight_request, header_bytes,
  // pending_pairing); every key is exposed, zeros included.
  std::map<std::string, uint64_t> evictions;
  uint64_t tracked_connections = 0;  // gauge
  uint64_t pending_pairings = 0;     // gauge: requests held for pairing
  // gauge: watched processes whose TLS library Hugin cannot read, by library ("rustls", ...)
  std::map<std::string, uint64_t> tls_unsupported;
};

}  // namespace hugin
