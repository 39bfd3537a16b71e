#include "harness/analyze/metrics_arm.h"

#include <algorithm>
#include <cmath>

namespace hugin::harness {

PrometheusErrors PrometheusErrorsOf(const std::vector<const RunResult*>& runs) {
  PrometheusErrors e;
  for (const RunResult* r : runs) {
    if (r->requests_served > 0) {
      // The agent's counters cover the warm-up too (a fresh agent per run). A request the
      // fixture logged as aborted (the client had gone when the answer was written) is out of
      // the ground truth, but the server did answer it: Hugin may count it or not, so a count
      // up to truth + aborted is exact.
      const double truth = double(r->requests_served + r->warmup_requests);
      const double most = truth + double(r->client_aborted);
      if (r->prometheus_count) {
        const double count = *r->prometheus_count;
        const double off = count < truth ? truth - count : count > most ? count - most : 0.0;
        const double err = off / truth;
        e.count_error = std::max(e.count_error.value_or(0), err);
      }
      if (r->prometheus_rate && r->load.duration_s > 0) {
        const double truth_rate = double(r->requests_served) / r->load.duration_s;
        const double err = std::abs(*r->prometheus_rate - truth_rate) / truth_rate;
        e.rate_error = std::max(e.rate_error.value_or(0), err);
      }
    }
    if (!r->prometheus_error.empty() && e.error.empty()) e.error = r->prometheus_error;
  }
  return e;
}

std::optional<MetricsArmSummary> SummarizeMetricsArm(int rate, const std::vector<RunResult>& runs) {
  std::vector<const RunResult*> mine;
  for (const RunResult& r : runs)
    if (r.ok && r.rate == rate && r.arm == Arm::kHuginMetrics && !r.profile_run) mine.push_back(&r);
  if (mine.empty()) return std::nullopt;
  MetricsArmSummary m;
  m.runs = static_cast<int>(mine.size());
  double cpu = 0, events = 0, kernel_exchanges = 0, served = 0;
  for (const RunResult* r : mine) {
    m.requests += r->requests_served + r->warmup_requests;
    m.prometheus_count += r->prometheus_count.value_or(0);
    m.kernel_drops += r->counters.kernel_drops();
    m.agent_rss_bytes = std::max(m.agent_rss_bytes, r->agent_rss_bytes);
    m.agent_pss_bytes = std::max(m.agent_pss_bytes, r->agent_pss_bytes);
    if (r->probe_run) continue;  // cost figures from the paired runs (bpf_stats costs them)
    cpu += r->agent_cpu_us;
    events += r->counters.events_received;
    kernel_exchanges += r->counters.kernel_exchanges;
    served += double(r->requests_served);
  }
  if (m.requests) m.counted_rate = m.prometheus_count / double(m.requests);
  if (served > 0) {
    m.agent_cpu_us_per_request = cpu / served;
    m.events_per_request = events / served;
    m.kernel_exchanges_per_request = kernel_exchanges / served;
  }
  m.prometheus = PrometheusErrorsOf(mine);
  return m;
}

}  // namespace hugin::harness
