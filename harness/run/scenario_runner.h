// Runs one scenario: A/B(/C) arms interleaved per pair, per offered rate, with progress lines on
// stderr, then summarizes and evaluates it.
#pragma once

#include <chrono>
#include <string>

#include "harness/analyze/summary.h"

namespace hugin::harness {

struct RunnerOptions {
  std::string out_dir;      // the run folder; raw per-run files go to out_dir/runs/<scenario>/
  bool keep_raw = false;    // keep access logs, span logs, h2load logs and Prometheus data
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

ScenarioSummary RunScenario(const Scenario& s, const RunnerOptions& options);

}  // namespace hugin::harness
