// One measured run: a fresh fixture process, optionally Hugin (or the OpenTelemetry peer)
// attached, one load, then measurements, ground-truth matching and loss accounting.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/model/run_result.h"
#include "harness/model/scenario.h"

namespace hugin::harness {

class PrometheusServer;

struct RunContext {
  const Scenario* scenario = nullptr;
  std::string fixture_bin;
  std::string agent_bin;            // hugin arm
  std::string otel_register;        // otel arm
  std::string hook_floor_bin;       // hook_floor arm (harness/floor)
  std::string tls_cert, tls_key;    // when the fixture serves TLS
  int agent_metrics_port = 0;
  const PrometheusServer* prometheus = nullptr;  // optional
  std::vector<int> reserved_ports;  // held by the scenario (agent metrics, Prometheus)
  std::vector<int> service_cpus;    // fixture and agent pinned here (empty: not pinned)
  bool wire_capture = true;         // capture loopback traffic where WireOracleApplies
};

enum class RunKind {
  kPaired,     // one arm of an interleaved pair: every figure but probe time and the breakdown
  kProbeTime,  // kernel.bpf_stats_enabled is on (the caller's switch): BPF figures are read
  kProfile,    // perf samples the service and the agent: the cost breakdown's groups
};

RunResult RunArm(const RunContext& ctx, Arm arm, int pair, int rate, const std::string& dir,
                 RunKind kind = RunKind::kPaired);

// Load-tool errors, timeouts and unexpected statuses fail a run: sets `error` (when still empty)
// if the tool reported errors, or counted responses outside 2xx/3xx that the fixture did not send
// (`failing_statuses`: ground-truth answers >= 400 in the measured window).
void CheckLoadTool(const LoadResult& load, uint64_t failing_statuses, int connections,
                   const std::string& dir, std::string& error);

// A currently free TCP port (bindable on all interfaces), below the kernel's ephemeral range so
// no client connection takes it before the caller binds it; not one of `avoid` (ports the
// scenario uses between runs, e.g. the agent's metrics port, unbound while no agent runs).
int FreeLoopbackPort(const std::vector<int>& avoid = {});
// A port of [low, high) bindable on all interfaces now and not in `avoid`; throws if none.
int FreePortIn(int low, int high, const std::vector<int>& avoid = {});

}  // namespace hugin::harness
