// The agent: wires discovery -> BPF loader -> ring buffer -> conn tracker ->
// exporters (trace printer, Prometheus) and runs the poll loop until a signal.
#pragma once

#include <atomic>
#include <cstdio>

#include "core/agent/fault_injection.h"
#include "core/config/config.h"

namespace hugin {

// Runs until *stop becomes true. Returns the process exit status:
// 0 after a clean detach, 1 when BPF cannot be used or the endpoint cannot be served.
// `faults`: test-only planted faults (HUGIN_FAULT), applied to every finished span.
int RunAgent(const Config& cfg, const FaultPlan& faults, const std::atomic<bool>* stop, FILE* out);

}  // namespace hugin
