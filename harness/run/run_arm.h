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
  std::string tls_cert, tls_key;    // when the fixture serves TLS
  int agent_metrics_port = 0;
  const PrometheusServer* prometheus = nullptr;  // optional
  std::vector<int> reserved_ports;  // held by the scenario (agent metrics, Prometheus)
};

RunResult RunArm(const RunContext& ctx, Arm arm, int pair, int rate,
                 const std::string& dir);

// A currently free TCP port on 127.0.0.1, not one of `avoid` (ports the scenario uses between
// runs, e.g. the agent's metrics port, which is unbound while no agent runs).
int FreeLoopbackPort(const std::vector<int>& avoid = {});

}  // namespace hugin::harness
