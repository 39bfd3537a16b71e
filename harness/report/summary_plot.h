// The picture at the top of report.md: per scenario, Hugin's throughput and p99 latency ratios
// (instrumented / baseline, first offered rate) as grouped bars, the OpenTelemetry arm's ratios
// next to them where the scenario has one, and a reference line at 1.0 (no change).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "harness/analyze/summary.h"

namespace hugin::harness {

// gnuplot data, one line per scenario that has a Hugin ratio:
// "scenario hugin_throughput hugin_p99 otel_throughput otel_p99", "NaN" where a ratio is absent.
// Empty when no scenario has one.
std::string SummaryPlotData(const std::vector<ScenarioSummary>& scenarios);

// Writes plots/summary.dat and .gp under `dir`, runs gnuplot; returns "plots/summary.png", or
// nothing (with the reason in `errors` when gnuplot failed) when there is nothing to draw.
std::optional<std::string> DrawSummaryPlot(const std::vector<ScenarioSummary>& scenarios,
                                           const std::string& dir,
                                           std::vector<std::string>& errors);

}  // namespace hugin::harness
