// Aggregation of a scenario's runs into the figures the report shows, and the threshold
// verdicts. Pure functions of the run results (unit-tested without running anything).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/analyze/match.h"
#include "harness/model/run_result.h"
#include "harness/model/scenario.h"

namespace hugin::harness {

struct ArmSummary {
  int runs = 0;
  double throughput_rps = 0;   // medians over the arm's runs
  double p50_us = 0, p90_us = 0, p99_us = 0;
  double fixture_cpu_us_per_request = 0;
  double requests = 0;         // ground-truth requests summed over runs
};

// One offered rate (0 = saturation) of a scenario.
struct StepSummary {
  int rate = 0;
  std::map<Arm, ArmSummary> arms;
  // instrumented / baseline, median over the interleaved pairs
  std::optional<double> throughput_ratio, p50_latency_ratio, p99_latency_ratio;
  std::optional<double> otel_throughput_ratio, otel_p99_latency_ratio;
  std::optional<double> otel_capture_rate;  // server spans the OTel SDK ended / requests

  // Hugin arm, summed over its runs
  uint64_t requests = 0, spans = 0, matched = 0, field_matched = 0, phantom = 0;
  uint64_t missing = 0, silent_loss = 0;
  double kernel_drops = 0, stream_gaps = 0, parse_errors = 0, payload_truncated = 0;
  std::map<std::string, double> kernel_drops_by_reason;
  FieldMismatches mismatches;
  double capture_rate = 0, field_match_rate = 0;
  // probe runs: every invocation of a Hugin program (all processes' syscalls hit the tracepoints
  // and are filtered in the kernel); events: what reached user space through the ring buffer.
  double probe_ns_per_request = 0, probe_runs_per_request = 0, events_per_request = 0;
  double agent_cpu_us_per_request = 0;
  uint64_t agent_rss_bytes = 0;  // max over runs
  double duration_delta_p50_us = 0, duration_delta_p99_us = 0;
  std::vector<double> duration_deltas_us;
  std::optional<double> prometheus_count_error;  // max |prometheus - ground truth| / truth
  std::optional<double> prometheus_rate_error;   // max |rate() - truth/duration| / (truth/duration)
  std::string prometheus_error;
};

enum class VerdictStatus { kPass, kFail, kExpectedUnsupported };

struct Verdict {
  std::string name;      // threshold name, e.g. capture_rate_min
  VerdictStatus status = VerdictStatus::kPass;
  std::string detail;    // "capture_rate 1.0000 >= 1.0000"
};

struct ScenarioSummary {
  Scenario scenario;
  std::vector<RunResult> runs;
  std::vector<StepSummary> steps;
  std::vector<Verdict> verdicts;
  std::vector<std::string> errors;  // failed runs and set-up problems
  double wall_s = 0;
  bool passed() const;
};

StepSummary SummarizeStep(int rate, const std::vector<RunResult>& runs);
std::vector<Verdict> Evaluate(const Scenario& s, const std::vector<StepSummary>& steps,
                              const std::vector<std::string>& errors);
// Runs grouped by rate (in the scenario's order), then summarized and evaluated.
ScenarioSummary Summarize(const Scenario& s, std::vector<RunResult> runs,
                          std::vector<std::string> errors, double wall_s);

const char* VerdictStatusName(VerdictStatus s);

}  // namespace hugin::harness
