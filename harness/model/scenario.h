// A measurement scenario, loaded from scenarios/NAME.yaml: which fixture, which load, how many
// interleaved repetitions, how Hugin is configured and which thresholds fail the run.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "harness/model/arm.h"

namespace hugin::harness {

struct FixtureSpec {
  std::string language;         // go | node | python | rust
  std::string protocol = "http";  // http | grpc
  bool tls = false;
};

struct LoadSpec {
  std::string tool;             // wrk (saturation) | h2load (fixed rate, HTTP/1.1 or HTTP/2/gRPC)
  int connections = 8;
  int threads = 1;              // wrk only
  double duration_s = 5;
  std::vector<int> rates;       // total requests/s (h2load); several = a sweep (overload)
  // The requests (HTTP/1.1; gRPC sends its Echo/Unary call): "default" draws every request from
  // the harness's request mix (harness/run/request_mix.h) with `seed`; "single" sends the one
  // request below. Either way every request carries its identity in the path (model/identity.h).
  std::string mix = "default";  // default | single
  uint64_t seed = 1;
  std::string method = "GET";   // single; h2load: the one method of the run (mix default too)
  std::string path = "/";       // single: after the identity; may carry size=, status=, delay=
  int body_bytes = 0;           // request body size (single; h2load: every request of the run)
  // A load of this length runs first in every run and is left out of every figure (connection
  // set-up, JIT and page-cache warm-up). HTTP/1.1: its requests carry the warm-up identity prefix
  // (model/identity.h); gRPC: they are told apart by time.
  double warmup_s = 2;
};

struct HuginSpec {
  std::vector<std::string> probes{"http"};
  int payload_bytes = 256;      // 64..4096
  long ringbuf_bytes = 1 << 22; // power of two, 4 KiB .. 1 GiB (core/config/capture_limits.h)
  // HUGIN_FAULT for the agent (test-only planted faults, e.g. "drop_span:500"): the selftest
  // scenario proves the harness catches what the agent is made to lose or get wrong.
  std::string fault;
};

// The profile runs (analyze/cost_breakdown.h): per step, one extra run per baseline and agent
// arm with perf sampling the service and the agent. 0 = none.
struct ProfileSpec {
  int frequency_hz = 999;  // perf record -F; 0 turns the profile runs off
};

// Which CPUs the load generator (and Prometheus) and the service (and the agent) run on.
// Empty lists: chosen at run time (2+ CPUs: load on the last CPU, service on the others;
// 1 CPU: no pinning), and the report says what shared what.
struct Placement {
  std::vector<int> load_cpus;
  std::vector<int> service_cpus;
};

// Unset optionals are not checked. Ratios are instrumented / baseline.
struct Thresholds {
  std::optional<double> capture_rate_min;
  std::optional<double> field_match_rate_min;
  std::optional<long> silent_loss_max;
  std::optional<double> throughput_ratio_min;
  std::optional<double> p99_latency_ratio_max;
  std::optional<double> prometheus_count_error_max;  // |prom - ground truth| / ground truth
  // Wire oracle: fraction of server spans whose duration is within max(1 ms, 5%) of the
  // duration seen on the wire (first request segment to last response segment). Fixed-rate
  // plain-HTTP scenarios only (WireOracleApplies).
  std::optional<double> wire_duration_within_1ms_or_5pct_min;
  bool expect_kernel_drops = false;  // overload: the run must force counted loss
  // Kernel drop records that explain no missing request (attributed per connection and time).
  std::optional<long> unattributed_drops_max;
  // Fixed rate: (service + agent + load tool CPU with Hugin) - (without), µs per request.
  std::optional<double> added_cpu_us_per_request_max;
  // Selftest: silent loss must equal the spans the agent was made to drop, and status mismatches
  // the statuses it was made to swap (the agent's own count, used only for this comparison).
  bool detects_injected_faults = false;
};

struct Scenario {
  std::string name;
  std::string description;
  std::string file;
  FixtureSpec fixture;
  LoadSpec load;
  // Interleaved pairs per offered rate, in ABBA order (baseline-hugin, hugin-baseline, ...).
  int repetitions = 5;
  // Arms measured in one interleaved run: baseline, hugin (spans printed as JSON and metrics),
  // hugin_metrics (the trace printer off: metrics only), otel (Node only), hook_floor (empty
  // BPF programs on Hugin's hooks: the cost floor).
  std::vector<Arm> arms{Arm::kBaseline, Arm::kHugin};
  HuginSpec hugin;
  ProfileSpec profile;
  Placement placement;
  Thresholds thresholds;
  // Non-empty: the tracer is known not to support this protocol yet. The expected state is
  // asserted: no span at all (capture 0, phantom 0); spans appearing read UNEXPECTED-PASS and
  // fail the run, so a stale scenario file is noticed.
  std::string expected_unsupported;
};

// Thrown for any problem in a scenario file; what() is "file:line:col: message".
class ScenarioError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The wire oracle (a loopback capture decoded by tshark, analyze/timing.h) runs for fixed-rate
// plain HTTP/1.1: h2load with rate/rates, protocol http, no TLS (tshark cannot read TLS; gRPC
// is HTTP/2 and Hugin does not trace it yet).
bool WireOracleApplies(const Scenario& s);

Scenario LoadScenarioFile(const std::string& path);
// `source_name` is used in error messages in place of a file name.
Scenario ParseScenario(const std::string& yaml_text, const std::string& source_name);

}  // namespace hugin::harness
