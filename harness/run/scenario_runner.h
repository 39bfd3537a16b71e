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
  bool wire_capture = true; // loopback capture in every arm of fixed-rate plain-HTTP scenarios
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

// Pins the harness to the scenario's load CPUs for the rest of its life (the next scenario pins
// again), runs every pair in ABBA order plus the probe-time runs of each step, and summarizes.
ScenarioSummary RunScenario(const Scenario& s, const RunnerOptions& options);

// The arms that get one probe-time run (kernel.bpf_stats_enabled=1, in no pair) per step, in run
// order: hugin and hugin_metrics each (the metrics-only agent aggregates HTTP/1 exchanges in the
// kernel: its programs do other work per call, so Hugin's figures are not its), then each
// cost-ladder arm in kLadderArms order (the agent stopped at that step: what its programs cost
// there), then hook_floor (its empty programs: the floor under them). None without an arm that
// runs the agent: the floor alone has nothing to be the floor of.
std::vector<Arm> ProbeTimeArms(const std::vector<Arm>& arms);

// Arm order of a pair: as listed for odd pairs, reversed for even ones (ABBA), so neither arm
// always runs first on a machine that warms up or slows down over a scenario.
std::vector<Arm> ArmOrder(const std::vector<Arm>& arms, int pair);

// The placement a scenario runs with on a machine with `cpus` CPUs (see Placement).
Placement ResolvePlacement(const Placement& asked, int cpus);

}  // namespace hugin::harness
