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
  uint64_t payload_truncated = 0;  // calls longer than the captured payload
  // Kernel per-CPU drop counters summed, by reason (ringbuf_full,
  // conn_map_full, read_failed, ...). Every key is exposed, zeros included, so
  // insert every reason the kernel side knows.
  std::map<std::string, uint64_t> kernel_drops;
  uint64_t watched_pids = 0;       // gauge: pids currently selected
};

}  // namespace hugin
