// Test-only planted faults (HUGIN_FAULT). The harness's selftest scenario turns them on to prove
// it catches an agent that loses spans or reports a wrong field without saying so. Off unless
// the variable is set; applied in one place, the agent's span sink.
#pragma once

#include <cstdint>
#include <string>

#include "core/common/result.h"
#include "core/config/config.h"
#include "core/span/span.h"

namespace hugin {

struct FaultPlan {
  bool enabled = false;            // HUGIN_FAULT was set (even to faults that never trigger)
  uint64_t drop_span_every = 0;    // drop_span:N: every Nth finished span is never exported
  uint64_t swap_status_every = 0;  // swap_status:N: every Nth exported span gets a wrong status
};

// HUGIN_FAULT from `env`: comma-separated "drop_span:N" and "swap_status:N", N >= 1, each kind
// at most once. Unset or blank: no faults. A bad value is an Error (bad input, exit
// kExitBadInput), one line "hugin: HUGIN_FAULT: ...".
Result<FaultPlan> ParseFaultPlan(const EnvLookup& env);

class FaultInjector {
 public:
  explicit FaultInjector(const FaultPlan& plan) : plan_(plan) {}

  // Takes a finished span. false: drop it (no metrics, no trace line, no counter). Otherwise the
  // span may have had its status swapped: 200 -> 500, anything else -> 200.
  bool Apply(Span& span);

  uint64_t dropped() const { return dropped_; }
  uint64_t swapped() const { return swapped_; }
  // "hugin: fault injection planted drop_span=K swap_status=M"
  std::string Summary() const;

 private:
  FaultPlan plan_;
  uint64_t finished_ = 0, exported_ = 0;
  uint64_t dropped_ = 0, swapped_ = 0;
};

}  // namespace hugin
