// The cost breakdown as a picture (gnuplot, like the other plots): per step and agent arm, a
// stacked bar of the agent's µs/request by stage and one of the service's added µs/request by
// group (the perf diff against the baseline).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "harness/analyze/summary.h"

namespace hugin::harness {

// The two data tables (agent stages, service groups): a header line of quoted column names,
// then one row per step and agent arm, "<label>" value...; "" when no step has a profile.
std::string CostPlotAgentData(const ScenarioSummary& s);
std::string CostPlotServiceData(const ScenarioSummary& s);

// plots/<scenario>_cost_breakdown.png relative to `dir`; nullopt when there is nothing to draw
// or gnuplot failed (the reason in `errors`).
std::optional<std::string> DrawCostPlot(const ScenarioSummary& s, const std::string& dir,
                                        std::vector<std::string>& errors);

}  // namespace hugin::harness
