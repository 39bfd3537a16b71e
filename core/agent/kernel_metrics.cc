#include "core/agent/kernel_metrics.h"

#include <algorithm>
#include <utility>

namespace hugin {

// The kernel buckets with Metrics' bounds and names methods with its ids (bpf/hugin.h).
static_assert(HG_DURATION_BUCKETS == kDurationBucketsSeconds.size() + 1);
static_assert(HG_SIZE_BUCKETS == kBodySizeBucketsBytes.size() + 1);
static_assert(HG_METHOD_OTHER == kOtherMethodId);

KernelMetricsChoice ChooseKernelMetrics(const Config& cfg, const FaultPlan& faults) {
  const std::string no = "hugin: HTTP/1 server metrics are parsed in user space, not aggregated "
                         "in the kernel: ";
  if (!cfg.kernel_metrics)
    return {false, no + "turned off (--kernel-metrics off or HUGIN_KERNEL_METRICS=false)"};
  if (cfg.trace_printer != TracePrinter::kDisabled)
    return {false, no + "the trace printer needs a span per request"};
  if (faults.enabled) return {false, no + "HUGIN_FAULT plants its faults in spans"};
  return {true,
          "hugin: HTTP/1 server metrics are aggregated in the kernel (no span is produced; "
          "--kernel-metrics off to parse them in user space)"};
}

std::optional<KernelSeriesSample> KernelSeriesSampleOf(const hg_kernel_series_key& key,
                                                       const hg_kernel_series& value,
                                                       std::string service_name) {
  if (key.role != HG_ROLE_SERVER) return std::nullopt;
  KernelSeriesSample s;
  s.method_id = key.method;  // MethodLabel makes any id past the known ones "_OTHER"
  s.status = key.status;
  s.service_name = std::move(service_name);
  s.server_port = key.server_port;
  std::copy_n(value.duration_buckets, HG_DURATION_BUCKETS, s.duration_buckets.begin());
  s.duration_sum_seconds = static_cast<double>(value.duration_sum_ns) / 1e9;
  std::copy_n(value.request_body_buckets, HG_SIZE_BUCKETS, s.request_body_buckets.begin());
  s.request_body_sum = value.request_body_sum;
  std::copy_n(value.response_body_buckets, HG_SIZE_BUCKETS, s.response_body_buckets.begin());
  s.response_body_sum = value.response_body_sum;
  return s;
}

}  // namespace hugin
