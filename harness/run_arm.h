// One measured run: a fresh fixture process, optionally Hugin (or the OpenTelemetry peer)
// attached, one load, then measurements, ground-truth matching and loss accounting.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/load_output.h"
#include "harness/loss.h"
#include "harness/match.h"
#include "harness/measure.h"
#include "harness/scenario.h"

namespace hugin::harness {

class PrometheusServer;

// Hugin's own counters read from its /metrics (deltas over the load window where it matters).
struct AgentCounters {
  double events_received = 0;
  double spans = 0;
  double parse_errors = 0;
  double stream_gaps = 0;
  double payload_truncated = 0;
  std::map<std::string, double> kernel_drops_by_reason;
  double kernel_drops() const;
};

struct RunResult {
  std::string arm;   // baseline | hugin | otel
  int pair = 0;      // 1-based repetition
  int rate = 0;      // offered requests/s, 0 = saturation
  bool ok = false;
  std::string error;
  std::string dir;

  LoadResult load;
  double fixture_cpu_us = 0;        // fixture process tree, during the load
  uint64_t requests_served = 0;     // ground-truth lines of complete exchanges
  uint64_t client_aborted = 0;      // ground-truth lines marked aborted: excluded from the above

  // hugin arm
  double agent_cpu_us = 0;          // during the load and the drain after it
  uint64_t agent_rss_bytes = 0;     // VmHWM at the end
  BpfStats bpf;                     // delta over the load window, programs named hg_*
  AgentCounters counters;           // deltas over the load window
  MatchResult match;
  LossResult loss;
  std::optional<double> prometheus_count;  // what Prometheus stored for the run
  std::optional<double> prometheus_rate;   // its rate() over the load window, requests/s
  std::string prometheus_error;

  // otel arm: server spans the OpenTelemetry SDK ended
  std::optional<double> otel_spans;
};

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

RunResult RunArm(const RunContext& ctx, const std::string& arm, int pair, int rate,
                 const std::string& dir);

// Parses the agent's exposition into the counters the harness uses.
AgentCounters CountersFromExposition(const std::string& text);
AgentCounters Subtract(const AgentCounters& after, const AgentCounters& before);

// A currently free TCP port on 127.0.0.1, not one of `avoid` (ports the scenario uses between
// runs, e.g. the agent's metrics port, which is unbound while no agent runs).
int FreeLoopbackPort(const std::vector<int>& avoid = {});

}  // namespace hugin::harness
