#include "harness/run/scenario_runner.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>

#include <unistd.h>

#include "harness/util/binaries.h"
#include "harness/util/process.h"
#include "harness/run/prometheus.h"
#include "harness/collect/measure.h"
#include "harness/run/run_arm.h"

namespace hugin::harness {
namespace {

namespace fs = std::filesystem;

double SecondsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

void RemoveRawFiles(const std::string& dir) {
  for (const std::string sub : {"", "/warmup"})
    for (const char* f : {"access.jsonl", "spans.jsonl", "h2load.log", "body.bin", "wire.pcapng",
                          "uris.txt", "service.data", "agent.data"})
      fs::remove(dir + sub + "/" + f);
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

std::vector<Arm> ArmOrder(const std::vector<Arm>& arms, int pair) {
  std::vector<Arm> order = arms;
  if (pair % 2 == 0) std::reverse(order.begin(), order.end());
  return order;
}

std::vector<Arm> ProbeTimeArms(const std::vector<Arm>& arms) {
  const auto has = [&](Arm a) { return std::find(arms.begin(), arms.end(), a) != arms.end(); };
  std::vector<Arm> out;
  for (const Arm a : {Arm::kHugin, Arm::kHuginMetrics})
    if (has(a)) out.push_back(a);
  for (const Arm a : kLadderArms)
    if (has(a)) out.push_back(a);
  if (!out.empty() && has(Arm::kHookFloor)) out.push_back(Arm::kHookFloor);
  return out;
}

Placement ResolvePlacement(const Placement& asked, int cpus) {
  if (!asked.load_cpus.empty() || cpus < 2) return asked;
  Placement p;
  p.load_cpus = {cpus - 1};
  for (int c = 0; c < cpus - 1; ++c) p.service_cpus.push_back(c);
  return p;
}

ScenarioSummary RunScenario(const Scenario& s, const RunnerOptions& options) {
  const auto scenario_start = std::chrono::steady_clock::now();
  std::vector<std::string> errors;
  std::vector<RunResult> runs;
  const std::string raw_dir = options.out_dir + "/runs/" + s.name;
  fs::create_directories(raw_dir);

  RunContext ctx;
  ctx.scenario = &s;
  // The harness itself (and so the load tool and Prometheus, its children) runs on the load CPUs;
  // the fixture and the agent are started on the service CPUs.
  const Placement placement =
      ResolvePlacement(s.placement, static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN)));
  if (!placement.load_cpus.empty()) {
    if (!PinToCpus(placement.load_cpus)) {
      errors.push_back("cannot pin the load generator to the CPUs the scenario names");
      return Summarize(s, {}, errors, SecondsSince(scenario_start));
    }
    ctx.service_cpus = placement.service_cpus;
  }
  ctx.wire_capture = options.wire_capture;
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
  const bool agent_arms = std::any_of(s.arms.begin(), s.arms.end(), RunsAgent);
  if (agent_arms) {
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
  if (has_arm(Arm::kHookFloor)) {
    const auto floor = FindWorkspaceBinary("harness/floor/hook_floor");
    if (!floor) {
      errors.push_back("hook_floor arm: binary not found: build //harness/floor:hook_floor");
      return Summarize(s, {}, errors, SecondsSince(scenario_start));
    }
    ctx.hook_floor_bin = *floor;
  }
  if (s.fixture.tls) {
    std::string error;
    if (!MakeTestCertificate(raw_dir + "/tls", ctx.tls_cert, ctx.tls_key, error)) {
      errors.push_back(error);
      return Summarize(s, {}, errors, SecondsSince(scenario_start));
    }
  }

  const std::vector<int> rates = s.load.rates.empty() ? std::vector<int>{0} : s.load.rates;
  // The probe-time runs: one per agent arm (the metrics-only agent's BPF work differs from the
  // span-printing one's), one per cost-ladder arm (its step's BPF ns per request), and the hook
  // floor's, so the report can say how much of each one's probe time is the hooks' and the
  // stats' own.
  const std::vector<Arm> probed = ProbeTimeArms(s.arms);
  // Profile runs: the baseline and every agent arm (not otel: Node's JIT frames need its own
  // perf map), when the scenario has an agent arm and profiling is on.
  std::vector<Arm> profiled;
  if (agent_arms && s.profile.frequency_hz > 0)
    for (const Arm a : s.arms)
      if (a == Arm::kBaseline || IsAgentArm(a)) profiled.push_back(a);
  const size_t total =
      rates.size() * (s.repetitions * s.arms.size() + probed.size() + profiled.size());
  size_t done = 0;
  auto run_one = [&](int rate, int pair, Arm arm, RunKind kind) {
    const bool probe = kind == RunKind::kProbeTime;
    const char* special = probe ? "probe" : kind == RunKind::kProfile ? "profile" : nullptr;
    ++done;
    const double elapsed = SecondsSince(scenario_start);
    const double eta = done > 1 ? elapsed / double(done - 1) * double(total - done + 1) : 0;
    std::fprintf(stderr, "[harness] %s: %s, %s, arm %s (run %zu/%zu), elapsed %.0f s, ~%.0f s left\n",
                 s.name.c_str(), rate ? (std::to_string(rate) + " req/s").c_str() : "saturation",
                 special ? (std::string(special) + (probe ? "-time run" : " run")).c_str()
                         : ("pair " + std::to_string(pair) + "/" + std::to_string(s.repetitions)).c_str(),
                 ArmName(arm), done, total, elapsed, eta);
    const std::string dir = raw_dir + "/" + std::to_string(rate) + "-" +
                            (special ? std::string(special) : std::to_string(pair)) + "-" +
                            ArmName(arm);
    std::optional<BpfStatsSwitch> stats;
    if (probe) {
      stats.emplace();
      if (!stats->enabled())
        errors.push_back("cannot enable kernel.bpf_stats_enabled: probe time unknown");
    }
    RunResult r = RunArm(ctx, arm, pair, rate, dir, kind);
    stats.reset();
    if (!r.ok)
      std::fprintf(stderr, "[harness]   run failed: %s\n", r.error.c_str());
    else if (arm == Arm::kHuginMetrics)
      std::fprintf(stderr, "[harness]   %.0f req/s, %llu requests, Prometheus count %.0f, %.0f drops, steal %.1f%%\n",
                   r.load.throughput_rps, (unsigned long long)r.requests_served,
                   r.prometheus_count.value_or(-1), r.counters.kernel_drops(), r.steal_percent);
    else if (arm == Arm::kHugin)
      std::fprintf(stderr, "[harness]   %.0f req/s, %llu requests, %llu matched, %.0f drops, steal %.1f%%\n",
                   r.load.throughput_rps, (unsigned long long)r.requests_served,
                   (unsigned long long)r.match.matched, r.counters.kernel_drops(), r.steal_percent);
    else
      std::fprintf(stderr, "[harness]   %.0f req/s, p99 %.0f us, steal %.1f%%\n",
                   r.load.throughput_rps, r.load.p99_us, r.steal_percent);
    if (!options.keep_raw) RemoveRawFiles(dir);
    runs.push_back(std::move(r));
  };
  for (int rate : rates) {
    for (int pair = 1; pair <= s.repetitions; ++pair)
      for (const Arm arm : ArmOrder(s.arms, pair)) run_one(rate, pair, arm, RunKind::kPaired);
    for (const Arm arm : probed) run_one(rate, 0, arm, RunKind::kProbeTime);
    for (const Arm arm : profiled) run_one(rate, 0, arm, RunKind::kProfile);
  }
  prometheus.reset();
  if (!options.keep_raw) fs::remove_all(raw_dir + "/prometheus/data");
  ScenarioSummary summary =
      Summarize(s, std::move(runs), std::move(errors), SecondsSince(scenario_start));
  summary.placement = placement;
  return summary;
}

}  // namespace hugin::harness
