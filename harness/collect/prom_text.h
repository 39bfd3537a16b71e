// Hugin's own counters (drops by reason, spans, watched pids) read straight from its /metrics
// between runs, with the project's one exposition reader (core/export/exposition_reader.h).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/export/exposition_reader.h"
#include "harness/model/run_result.h"

namespace hugin::harness {

using Sample = ExpositionSample;
using hugin::ParseExposition;
using hugin::SumSamples;

// GET http://127.0.0.1:port/metrics; nullopt when unreachable.
std::optional<std::string> FetchMetrics(int port);

// Hugin's own counters from its exposition.
AgentCounters CountersFromExposition(const std::string& text);

}  // namespace hugin::harness
