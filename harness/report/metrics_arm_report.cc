#include "harness/report/metrics_arm_report.h"

#include <sstream>

#include "harness/util/fixed_point.h"

namespace hugin::harness {
namespace {

using nlohmann::json;

json Opt(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

json EstimateJson(const std::optional<Estimate>& e) {
  if (!e) return nullptr;
  return {{"value", e->value},
          {"ci95", e->ci95 ? json::array({e->ci95->low, e->ci95->high}) : json(nullptr)}};
}

std::string EstText(const std::optional<Estimate>& e, int digits) {
  if (!e) return "n/a";
  std::string t = FixedPoint(e->value, digits);
  if (e->ci95) t += " [" + FixedPoint(e->ci95->low, digits) + ", " + FixedPoint(e->ci95->high, digits) + "]";
  return t;
}

}  // namespace

json MetricsArmJson(const StepSummary& st) {
  if (!st.metrics_only) return nullptr;
  const MetricsArmSummary& m = *st.metrics_only;
  return {{"runs", m.runs},
          {"throughput_ratio", EstimateJson(st.metrics_throughput_ratio)},
          {"p99_latency_ratio", EstimateJson(st.metrics_p99_latency_ratio)},
          {"added_cpu_us_per_request", EstimateJson(st.metrics_added_cpu_us_per_request)},
          {"requests", m.requests},
          {"prometheus_count", m.prometheus_count},
          {"counted_rate", m.counted_rate},
          {"prometheus_count_error", Opt(m.prometheus.count_error)},
          {"prometheus_rate_error", Opt(m.prometheus.rate_error)},
          {"prometheus_error", m.prometheus.error},
          {"agent_cpu_us_per_request", m.agent_cpu_us_per_request},
          {"events_per_request", m.events_per_request},
          {"kernel_exchanges_per_request", m.kernel_exchanges_per_request},
          {"kernel_drops", m.kernel_drops},
          {"agent_rss_bytes", m.agent_rss_bytes},
          {"agent_pss_bytes", m.agent_pss_bytes}};
}

std::string MetricsArmRows(const StepSummary& st) {
  if (!st.metrics_only) return "";
  const MetricsArmSummary& m = *st.metrics_only;
  std::ostringstream md;
  md << "| metrics only (hugin_metrics, no trace printer): throughput / p99 ratio vs baseline | "
     << EstText(st.metrics_throughput_ratio, 3) << " / " << EstText(st.metrics_p99_latency_ratio, 3)
     << " |\n| metrics only: added CPU per request, µs (service + agent + load tool) | "
     << EstText(st.metrics_added_cpu_us_per_request, 2)
     << " |\n| metrics only: Prometheus count / requests (ground truth, with warm-up) | "
     << FixedPoint(m.prometheus_count, 0) << " / " << m.requests << " = "
     << FixedPoint(m.counted_rate, 4) << " (count error "
     << (m.prometheus.count_error ? FixedPoint(*m.prometheus.count_error, 4) : "n/a")
     << (m.prometheus.error.empty() ? "" : ", " + m.prometheus.error) << ") |\n"
     << "| metrics only: agent CPU per request (µs) / events per request / exchanges aggregated "
        "in the kernel per request / kernel drops | "
     << FixedPoint(m.agent_cpu_us_per_request, 2) << " / " << FixedPoint(m.events_per_request, 2)
     << " / " << FixedPoint(m.kernel_exchanges_per_request, 2) << " / "
     << FixedPoint(m.kernel_drops, 0) << " |\n";
  return md.str();
}

}  // namespace hugin::harness
