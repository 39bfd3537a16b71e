// HTTP/1 RED metrics aggregated in the kernel (LoaderOptions::kernel_http1): whether the agent
// turns it on, and how the kernel's series become Metrics samples in the parsing process.
#pragma once

#include <optional>
#include <string>

#include "core/agent/fault_injection.h"
#include "core/config/config.h"
#include "core/export/metrics.h"

extern "C" {
#include "bpf/hugin.h"
}

namespace hugin {

struct KernelMetricsChoice {
  bool on = false;     // LoaderOptions::kernel_http1
  std::string notice;  // the startup line saying so (and why not), "hugin: ..."
};

// On when the setting allows it (--kernel-metrics) and nothing needs a span: the exchanges
// the kernel aggregates never reach user space, so a trace line could not be printed for
// them, nor a planted fault (HUGIN_FAULT) be applied. Metrics are the only other span
// consumer, and the kernel's series replace what they would have observed.
KernelMetricsChoice ChooseKernelMetrics(const Config& cfg, const FaultPlan& faults);

// One kernel_series entry (summed over the CPUs) as Metrics::SetKernelSeries takes it;
// nullopt for one that is not server-side (the only role the kernel aggregates).
std::optional<KernelSeriesSample> KernelSeriesSampleOf(const hg_kernel_series_key& key,
                                                       const hg_kernel_series& value,
                                                       std::string service_name);

}  // namespace hugin
