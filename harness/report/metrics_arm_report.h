// The metrics-only arm (hugin_metrics) of a step in report.md and result.json: its cost against
// the baseline and what its Prometheus counters captured.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "harness/analyze/summary.h"

namespace hugin::harness {

// null when the step has no hugin_metrics run.
nlohmann::json MetricsArmJson(const StepSummary& st);
// "| figure | value |" rows for the step's figure table; "" without hugin_metrics runs.
std::string MetricsArmRows(const StepSummary& st);

}  // namespace hugin::harness
