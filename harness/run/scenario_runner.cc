#include "harness/run/scenario_runner.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "harness/util/binaries.h"
#include "harness/util/process.h"
#include "harness/run/prometheus.h"
#include "harness/run/run_arm.h"

namespace hugin::harness {
namespace {

namespace fs = std::filesystem;

double SecondsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

void RemoveRawFiles(const std::string& dir) {
  for (const char* f : {"access.jsonl", "spans.jsonl", "h2load.log", "body.bin"})
    fs::remove(dir + "/" + f);
}

// A throw-away self-signed certificate for TLS fixtures (never committed).
bool MakeTestCertificate(const std::string& dir, std::string& cert, std::string& key,
                         std::string& error) {
  fs::create_directories(dir);
  cert = dir + "/cert.pem";
  key = dir + "/key.pem";
  std::string out;
  const int code = RunCommand({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                               "-keyout", key, "-out", cert, "-days", "1", "-subj",
                               "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1"},
                              out, std::chrono::seconds(30));
  if (code != 0) error = "openssl could not make a test certificate";
  return code == 0;
}

}  // namespace

ScenarioSummary RunScenario(const Scenario& s, const RunnerOptions& options) {
  const auto scenario_start = std::chrono::steady_clock::now();
  std::vector<std::string> errors;
  std::vector<RunResult> runs;
  const std::string raw_dir = options.out_dir + "/runs/" + s.name;
  fs::create_directories(raw_dir);

  RunContext ctx;
  ctx.scenario = &s;
  const auto fixture = FindFixtureBinary(s.fixture.language);
  if (!fixture) {
    errors.push_back("fixture binary for '" + s.fixture.language +
                     "' not found: build //fixtures/" + s.fixture.language +
                     ":server (or set HUGIN_FIXTURE_" + s.fixture.language + "_BIN)");
    return Summarize(s, {}, errors, SecondsSince(scenario_start));
  }
  ctx.fixture_bin = *fixture;
  const auto has_arm = [&](Arm a) {
    return std::find(s.arms.begin(), s.arms.end(), a) != s.arms.end();
  };
  std::unique_ptr<PrometheusServer> prometheus;
  if (has_arm(Arm::kHugin)) {
    const auto agent = FindAgentBinary();
    if (!agent) {
      errors.push_back("agent binary not found: build //:hugin (or set HUGIN_AGENT_BIN)");
      return Summarize(s, {}, errors, SecondsSince(scenario_start));
    }
    ctx.agent_bin = *agent;
    ctx.agent_metrics_port = FreeLoopbackPort();
    ctx.reserved_ports.push_back(ctx.agent_metrics_port);
    try {
      const int prometheus_port = FreeLoopbackPort(ctx.reserved_ports);
      ctx.reserved_ports.push_back(prometheus_port);
      prometheus = std::make_unique<PrometheusServer>(
          raw_dir + "/prometheus", prometheus_port,
          "127.0.0.1:" + std::to_string(ctx.agent_metrics_port));
      ctx.prometheus = prometheus.get();
    } catch (const std::exception& e) {
      errors.push_back(std::string("prometheus: ") + e.what());
    }
  }
  if (has_arm(Arm::kOtel)) {
    std::string why;
    const auto reg = FindOtelRegisterScript(why);
    if (!reg) {
      errors.push_back("otel arm: " + why);
      return Summarize(s, {}, errors, SecondsSince(scenario_start));
    }
    ctx.otel_register = *reg;
  }
  if (s.fixture.tls) {
    std::string error;
    if (!MakeTestCertificate(raw_dir + "/tls", ctx.tls_cert, ctx.tls_key, error)) {
      errors.push_back(error);
      return Summarize(s, {}, errors, SecondsSince(scenario_start));
    }
  }

  const std::vector<int> rates = s.load.rates.empty() ? std::vector<int>{0} : s.load.rates;
  const size_t total = rates.size() * s.repetitions * s.arms.size();
  size_t done = 0;
  for (int rate : rates) {
    for (int pair = 1; pair <= s.repetitions; ++pair) {
      for (const Arm arm : s.arms) {
        ++done;
        std::fprintf(stderr, "[harness] %s: %s, pair %d/%d, arm %s (run %zu/%zu), elapsed %.1f s\n",
                     s.name.c_str(), rate ? (std::to_string(rate) + " req/s").c_str() : "saturation",
                     pair, s.repetitions, ArmName(arm), done, total,
                     SecondsSince(options.started));
        const std::string dir = raw_dir + "/" + std::to_string(rate) + "-" + std::to_string(pair) +
                                "-" + ArmName(arm);
        RunResult r = RunArm(ctx, arm, pair, rate, dir);
        if (!r.ok) std::fprintf(stderr, "[harness]   run failed: %s\n", r.error.c_str());
        else if (arm == Arm::kHugin)
          std::fprintf(stderr, "[harness]   %.0f req/s, %llu requests, %llu matched, %.0f drops\n",
                       r.load.throughput_rps, (unsigned long long)r.requests_served,
                       (unsigned long long)r.match.matched, r.counters.kernel_drops());
        else
          std::fprintf(stderr, "[harness]   %.0f req/s, p99 %.0f us\n", r.load.throughput_rps,
                       r.load.p99_us);
        if (!options.keep_raw) RemoveRawFiles(dir);
        runs.push_back(std::move(r));
      }
    }
  }
  prometheus.reset();
  if (!options.keep_raw) fs::remove_all(raw_dir + "/prometheus/data");
  return Summarize(s, std::move(runs), std::move(errors), SecondsSince(scenario_start));
}

}  // namespace hugin::harness
