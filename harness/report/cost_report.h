// The "Cost breakdown" of a step in report.md and result.json: per-program probe time, the
// service's CPU per request by group with and without Hugin, the agent's CPU by stage.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "harness/analyze/cost_breakdown.h"

namespace hugin::harness {

nlohmann::json CostBreakdownJson(const CostBreakdown& b);
// Markdown tables under a "#### Cost breakdown" heading; "" when the step has nothing to show.
// `paired_agent_cpu`: the agent's µs/request in the paired runs per agent arm, shown beside the
// profile run's own (perf's sampling costs the agent some).
std::string CostBreakdownMarkdown(const CostBreakdown& b,
                                  const std::map<Arm, double>& paired_agent_cpu = {});

}  // namespace hugin::harness
