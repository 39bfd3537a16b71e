// A measurement scenario, loaded from scenarios/NAME.yaml: which fixture, which load, how many
// interleaved repetitions, how Hugin is configured and which thresholds fail the run.
#pragma once

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
  std::string method = "GET";
  std::string path = "/";       // may carry the fixture's query args (size=, status=, delay=)
  int body_bytes = 0;           // request body size (POST)
};

struct HuginSpec {
  std::vector<std::string> probes{"http"};
  int payload_bytes = 256;      // 64..4096
  long ringbuf_bytes = 1 << 22; // power of two, 64 KiB .. 1 GiB
};

// Unset optionals are not checked. Ratios are instrumented / baseline.
struct Thresholds {
  std::optional<double> capture_rate_min;
  std::optional<double> field_match_rate_min;
  std::optional<long> silent_loss_max;
  std::optional<double> throughput_ratio_min;
  std::optional<double> p99_latency_ratio_max;
  std::optional<double> prometheus_count_error_max;  // |prom - ground truth| / ground truth
  bool expect_kernel_drops = false;  // overload: the run must force counted loss
};

struct Scenario {
  std::string name;
  std::string description;
  std::string file;
  FixtureSpec fixture;
  LoadSpec load;
  int repetitions = 3;
  // Arms measured in one interleaved run: baseline, hugin, otel (Node only).
  std::vector<Arm> arms{Arm::kBaseline, Arm::kHugin};
  HuginSpec hugin;
  Thresholds thresholds;
  // Non-empty: the tracer is known not to support this protocol yet; the report says so as a
  // verdict ("expected unsupported") instead of failing on capture thresholds.
  std::string expected_unsupported;
};

// Thrown for any problem in a scenario file; what() is "file:line:col: message".
class ScenarioError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

Scenario LoadScenarioFile(const std::string& path);
// `source_name` is used in error messages in place of a file name.
Scenario ParseScenario(const std::string& yaml_text, const std::string& source_name);

}  // namespace hugin::harness
