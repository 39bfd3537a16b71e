// The metrics-only arm (hugin_metrics: the agent with the trace printer off) of one offered rate.
// It has no spans, so what it captured is read from its Prometheus counters against the
// fixture's ground truth; its cost from its own runs.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "harness/model/run_result.h"

namespace hugin::harness {

// |stored count - ground truth| / ground truth and |rate() - truth rate| / truth rate, worst run
// of `runs` (each counted with its warm-up: a fresh agent counts it too).
struct PrometheusErrors {
  std::optional<double> count_error, rate_error;
  std::string error;  // the first Prometheus problem a run reported
};
PrometheusErrors PrometheusErrorsOf(const std::vector<const RunResult*>& runs);

struct MetricsArmSummary {
  int runs = 0;                        // paired and probe-time runs (never profile runs)
  uint64_t requests = 0;               // ground truth, measured load + warm-up, over its runs
  double prometheus_count = 0;         // what Prometheus stored, summed over its runs
  // prometheus_count / requests: the share of requests the metrics counted (1.0 = all)
  double counted_rate = 0;
  PrometheusErrors prometheus;
  double agent_cpu_us_per_request = 0;  // over its paired runs
  double events_per_request = 0;
  // Exchanges the kernel aggregated itself (no records), per request served: 1.0 when every
  // exchange was framed in the kernel (bpf/http1_agg.bpf.h), 0 with --kernel-metrics off.
  double kernel_exchanges_per_request = 0;
  double kernel_drops = 0;
  uint64_t agent_rss_bytes = 0;         // max over runs (VmHWM, the processes summed)
  uint64_t agent_pss_bytes = 0;         // max over runs (PSS at the end of the load)
};

// nullopt without any ok hugin_metrics run at `rate` (profile runs are not counted).
std::optional<MetricsArmSummary> SummarizeMetricsArm(int rate, const std::vector<RunResult>& runs);

}  // namespace hugin::harness
