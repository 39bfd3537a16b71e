// Hugin's own counters as the Prometheus thread reads them: the poll loop publishes its tallies,
// the kernel's per-CPU counters are read at scrape time. Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "core/conn/conn_tracker.h"
#include "core/export/agent_counters.h"
#include "core/loader/loader.h"

namespace hugin {

// What the poll loop counts itself.
struct LoopTallies {
  uint64_t spans_exported = 0;     // spans handed to metrics and the printer
  uint64_t conn_loss_reports = 0;  // entries drained from conn_losses
  uint64_t watched_pids = 0;
  uint64_t capture_policy_map_full = 0;  // capture-off requests the kernel map had no room for
  // Processes using a TLS library Hugin cannot read plaintext from, by library (core/tls).
  std::map<std::string, uint64_t> tls_unsupported;
};

class CounterBoard {
 public:
  void Publish(const TrackerStats& tracker, const LoopTallies& loop);
  // Maps enum hg_counter to the exposed names: only real losses become kernel_drops reasons.
  AgentCounters Snapshot(const KernelCounters& kernel) const;

 private:
  mutable std::mutex mu_;
  TrackerStats tracker_;
  LoopTallies loop_;
};

}  // namespace hugin
