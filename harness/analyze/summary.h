// Aggregation of a scenario's runs into the figures the report shows, and the threshold
// verdicts. Pure functions of the run results (unit-tested without running anything).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/analyze/cost_breakdown.h"
#include "harness/analyze/match.h"
#include "harness/analyze/metrics_arm.h"
#include "harness/analyze/timing.h"
#include "harness/model/run_result.h"
#include "harness/model/scenario.h"
#include "harness/util/stats.h"

namespace hugin::harness {

// One interleaved pair's figures: the unit the intervals resample.
struct PairFigures {
  int pair = 0;
  std::optional<double> throughput_ratio, p50_latency_ratio, p99_latency_ratio;
  // (service + agent + load tool CPU) / request, instrumented minus baseline, µs
  std::optional<double> added_cpu_us_per_request;
  std::optional<double> otel_throughput_ratio, otel_p99_latency_ratio;
  std::optional<double> otel_added_cpu_us_per_request;
  // hugin_metrics / baseline (the agent with the trace printer off)
  std::optional<double> metrics_throughput_ratio, metrics_p99_latency_ratio;
  std::optional<double> metrics_added_cpu_us_per_request;
  // hook_floor / baseline (empty programs on Hugin's hooks: the floor of its kernel cost)
  std::optional<double> floor_throughput_ratio, floor_p99_latency_ratio;
  std::optional<double> floor_added_cpu_us_per_request;
  // The cost-ladder arms (stage_lookup, stage_heads) / baseline
  std::map<Arm, double> stage_throughput_ratio, stage_added_cpu_us_per_request;
};

// A point estimate with its 95% bootstrap interval over the pairs.
struct Estimate {
  double value = 0;
  std::optional<Interval> ci95;
};

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
  std::vector<PairFigures> pairs;
  // instrumented / baseline: geometric mean of the per-pair ratios, with its interval
  std::optional<Estimate> throughput_ratio, p50_latency_ratio, p99_latency_ratio;
  std::optional<Estimate> otel_throughput_ratio, otel_p99_latency_ratio;
  // mean of the per-pair differences: the overhead headline of fixed-rate steps, whose
  // throughput ratio is 1 by construction
  std::optional<Estimate> added_cpu_us_per_request, otel_added_cpu_us_per_request;
  // The metrics-only arm (hugin_metrics) against the baseline, and what its counters captured.
  std::optional<Estimate> metrics_throughput_ratio, metrics_p99_latency_ratio,
      metrics_added_cpu_us_per_request;
  std::optional<MetricsArmSummary> metrics_only;
  // The hook_floor arm against the baseline: what the hooks alone cost.
  std::optional<Estimate> floor_throughput_ratio, floor_p99_latency_ratio,
      floor_added_cpu_us_per_request;
  // The cost-ladder arms against the baseline, each with its interval.
  std::map<Arm, Estimate> stage_throughput_ratio, stage_added_cpu_us_per_request;
  double steal_percent_max = 0;  // the worst run of the step
  std::optional<double> otel_capture_rate;  // server spans the OTel SDK ended / requests

  // Hugin arm, summed over its runs
  uint64_t requests = 0, spans = 0, matched = 0, field_matched = 0, phantom = 0;
  // Identity matching (model/run_result.h MatchResult); identity_matched: every Hugin run of the
  // step was matched by identity (false without Hugin runs).
  uint64_t misattributed = 0, duplicate_spans = 0, warmup_requests = 0;
  bool identity_matched = false;
  uint64_t missing = 0, silent_loss = 0;
  uint64_t unattributed_drops = 0;  // kernel drop records that explain no missing request
  // What the agent planted (HUGIN_FAULT), summed over the Hugin runs; known when every run said.
  uint64_t injected_dropped_spans = 0, injected_swapped_statuses = 0;
  bool injected_known = true;
  double kernel_drops = 0, stream_gaps = 0, parse_errors = 0, payload_truncated = 0;
  std::map<std::string, double> kernel_drops_by_reason;
  FieldMismatches mismatches;
  double capture_rate = 0, field_match_rate = 0;
  // From the probe-time run only (bpf_stats on). probe runs: every invocation of a Hugin
  // program (all processes' syscalls hit the tracepoints and are filtered in the kernel);
  // events: what reached user space through the ring buffer (paired Hugin runs).
  double probe_ns_per_request = 0, probe_runs_per_request = 0, events_per_request = 0;
  double agent_cpu_us_per_request = 0;
  uint64_t agent_rss_bytes = 0;  // max over runs (VmHWM, the agent's processes summed)
  uint64_t agent_pss_bytes = 0;  // max over runs (PSS at the end of the load: shared pages once)
  double duration_delta_p50_us = 0, duration_delta_p99_us = 0;
  std::vector<double> duration_deltas_us;
  std::optional<double> prometheus_count_error;  // max |prometheus - ground truth| / truth
  std::optional<double> prometheus_rate_error;   // max |rate() - truth/duration| / (truth/duration)
  std::string prometheus_error;
  // Span timing against the loopback capture (fixed-rate plain-HTTP scenarios).
  std::optional<WireTimingSummary> wire;
  // Per-program probe time, the service's perf diff and the agent's CPU by stage.
  CostBreakdown cost;
};

// kExpectedUnsupported: the scenario says the tracer cannot see this yet, and it saw nothing.
// kUnexpectedPass: it said so, yet spans appeared: a failure until the scenario file is updated.
enum class VerdictStatus { kPass, kFail, kExpectedUnsupported, kUnexpectedPass };

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
  Placement placement;              // what ran where (empty lists: not pinned)
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

// A scenario in one row: each figure from its worst step (lowest capture and throughput ratio,
// highest latency ratio and costs), loss counts summed over steps. What reports headline.
struct Headline {
  std::optional<Estimate> throughput_ratio, p99_latency_ratio, added_cpu_us_per_request;
  std::optional<Estimate> otel_throughput_ratio, otel_p99_latency_ratio,
      otel_added_cpu_us_per_request;
  std::optional<Estimate> metrics_throughput_ratio, metrics_p99_latency_ratio,
      metrics_added_cpu_us_per_request;
  std::optional<double> metrics_prometheus_count_error;
  double metrics_agent_cpu_us_per_request = 0;
  int worst_capture_step_rate = 0;
  double capture_rate = 0, field_match_rate = 0;
  double probe_ns_per_request = 0, probe_runs_per_request = 0, events_per_request = 0;
  double agent_cpu_us_per_request = 0, steal_percent_max = 0;
  double duration_delta_p50_us = 0, duration_delta_p99_us = 0;
  uint64_t agent_rss_bytes = 0, agent_pss_bytes = 0;
  uint64_t requests = 0, spans = 0, missing = 0, silent_loss = 0, phantom = 0,
           unattributed_drops = 0;
  double kernel_drops = 0;
  std::optional<double> prometheus_count_error;
  FieldMismatches mismatches;
  // What the agent planted (selftest), when every Hugin run said.
  std::optional<uint64_t> injected_dropped_spans, injected_swapped_statuses;
};
Headline HeadlineOf(const ScenarioSummary& s);
Headline HeadlineOf(const std::vector<StepSummary>& steps);

}  // namespace hugin::harness
