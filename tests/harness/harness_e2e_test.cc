// Runs the real harness (real agent, real Go fixture, real Prometheus, h2load) on a short
// scenario and checks what it wrote. Needs root and BPF: tagged "local" (no sandbox).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <vector>

#include "harness/util/process.h"

namespace {

std::string Runfile(const std::string& path) {
  return std::string(std::getenv("TEST_SRCDIR")) + "/hugin/" + path;
}

// A step's cost_breakdown (result.json): programs named hg_* with runs and time; for each agent arm
// a service profile diffed against the baseline's and an agent profile whose stages add up to
// the agent's measured CPU per request.
void ExpectCostBreakdown(const nlohmann::json& cost, const std::vector<std::string>& agent_arms) {
  ASSERT_TRUE(cost.is_object());
  const auto& programs = cost.at("programs");
  ASSERT_FALSE(programs.empty()) << cost.dump(2);
  double ns = 0;
  for (const auto& p : programs) {
    EXPECT_EQ(p.at("name").get<std::string>().rfind("hg_", 0), 0u) << p.dump();
    // Every process's syscalls run the programs, but a wrapped delta (another agent's programs
    // counted) is ~1e15: the bound only catches that.
    EXPECT_LT(p.at("runs_per_request").get<double>(), 1e6) << p.dump();
    ns += p.at("ns_per_request").get<double>();
  }
  EXPECT_GT(ns, 0);
  EXPECT_NEAR(ns, cost.at("probe_ns_per_request").get<double>(), 1e-6 * ns);
  ASSERT_TRUE(cost.at("baseline_service").is_object()) << cost.dump(2);
  EXPECT_TRUE(cost.at("baseline_service").at("error").is_null()) << cost.dump(2);
  std::vector<std::string> arms;
  for (const auto& a : cost.at("arms")) {
    arms.push_back(a.at("arm"));
    const auto& agent = a.at("agent");
    ASSERT_TRUE(agent.at("error").is_null()) << agent.dump(2);
    EXPECT_GT(agent.at("samples").get<double>(), 0);
    const double cpu = agent.at("cpu_us_per_request").get<double>();
    EXPECT_GT(cpu, 0);
    double stages = 0, samples = 0;
    for (const auto& g : agent.at("groups")) {
      stages += g.at("us_per_request").get<double>();
      samples += g.at("samples").get<double>();
    }
    EXPECT_NEAR(stages, cpu, 0.005) << agent.dump(2);  // the stages split the measured CPU
    EXPECT_EQ(samples, agent.at("samples").get<double>());
    // The parsing process (the privileged process's child) is sampled too: its stages hold
    // samples (before it was, every one of them read 0).
    double parsing = 0;
    for (const auto& g : agent.at("groups"))
      if (g.at("group") == "decode" || g.at("group") == "tracker" || g.at("group") == "parser" ||
          g.at("group") == "metrics" || g.at("group") == "ring buffer read")
        parsing += g.at("samples").get<double>();
    EXPECT_GT(parsing, 0) << agent.dump(2);
    // The service's groups with Hugin: the tracing group is where Hugin's programs run.
    ASSERT_TRUE(a.at("service").at("error").is_null()) << a.dump(2);
    ASSERT_FALSE(a.at("service_added").empty()) << a.dump(2);
    EXPECT_EQ(a.at("service_added").at(0).at("group"), "tracing");
    EXPECT_GT(a.at("service_added").at(0).at("instrumented_us_per_request").get<double>(), 0);
  }
  EXPECT_EQ(arms, agent_arms);
}

TEST(HarnessEndToEnd, LowFixedRateIsFullyCapturedAndAccounted) {
  const std::string out = std::string(std::getenv("TEST_TMPDIR")) + "/run";
  std::string output;
  const int code = hugin::harness::RunCommand(
      {Runfile("harness/harness"), Runfile("tests/harness/e2e.yaml"), "--out", out}, output,
      std::chrono::seconds(120));
  std::ifstream in(out + "/result.json");
  ASSERT_TRUE(in) << "no result.json; harness exit " << code;
  const auto result = nlohmann::json::parse(in);
  const auto& e2e = result.at("scenarios").at("e2e");
  EXPECT_EQ(code, 0) << e2e.dump(2);

  EXPECT_GE(e2e.at("requests").get<double>(), 300);  // ~450 sent at 150 req/s for 3 s
  EXPECT_EQ(e2e.at("capture_rate").get<double>(), 1.0);
  EXPECT_EQ(e2e.at("silent_loss").get<double>(), 0);
  EXPECT_EQ(e2e.at("field_match_rate").get<double>(), 1.0);
  EXPECT_EQ(e2e.at("spans"), e2e.at("requests"));
  EXPECT_EQ(e2e.at("phantom_spans").get<double>(), 0);
  EXPECT_EQ(e2e.at("identity_matched"), true);  // the request mix, matched by identity
  EXPECT_EQ(e2e.at("misattributed").get<double>(), 0);
  EXPECT_EQ(e2e.at("prometheus_count_error").get<double>(), 0.0);
  EXPECT_GT(e2e.at("agent_rss_bytes").get<double>(), 0);
  EXPECT_GT(e2e.at("probe_ns_per_request").get<double>(), 0);  // bpf_stats_enabled worked
  EXPECT_TRUE(e2e.at("throughput_ratio").is_number());
  EXPECT_TRUE(std::filesystem::exists(out + "/report.md"));
  EXPECT_TRUE(std::filesystem::exists(out + "/plots/e2e_overhead.png"));

  // The wire oracle ran (fixed-rate plain HTTP): a valid capture in both paired arms (not the
  // probe-time run), every span joined to its exchange on the wire and every exchange to a span.
  const auto& wire = e2e.at("steps").at(0).at("wire_timing");
  ASSERT_TRUE(wire.is_object()) << e2e.dump(2);
  EXPECT_TRUE(wire.at("valid").get<bool>()) << wire.dump(2);
  EXPECT_EQ(wire.at("runs"), 1);
  EXPECT_GT(wire.at("baseline_packets").get<double>(), 0);
  EXPECT_GE(wire.at("spans").get<double>(), 300);  // ~450 at 150 req/s for 3 s
  EXPECT_EQ(wire.at("joined"), wire.at("spans"));
  EXPECT_EQ(wire.at("joined"), wire.at("wire_exchanges"));
  EXPECT_GE(wire.at("duration_within_1ms_or_5pct").get<double>(), 0.95);
  EXPECT_TRUE(std::filesystem::exists(out + "/plots/e2e_wire_duration_error.png"));

  // The cost breakdown: per-program probe time, the service's perf diff, the agent's stages.
  const auto& cost = e2e.at("steps").at(0).at("cost_breakdown");
  ExpectCostBreakdown(cost, {"hugin"});
  EXPECT_TRUE(std::filesystem::exists(out + "/plots/e2e_cost_breakdown.png"));
}

// The production-shaped arms: Hugin with metrics only (no trace printer) beside Hugin printing
// JSON spans. The metrics-only arm is judged by its Prometheus count, never for want of spans.
TEST(HarnessEndToEnd, MetricsOnlyArmAndCostBreakdownOfBothAgentArms) {
  const std::string out = std::string(std::getenv("TEST_TMPDIR")) + "/metrics_only";
  std::string output;
  const int code = hugin::harness::RunCommand(
      {Runfile("harness/harness"), Runfile("tests/harness/metrics_only_short.yaml"), "--out", out,
       "--no-microbench"},
      output, std::chrono::seconds(180));
  std::ifstream in(out + "/result.json");
  ASSERT_TRUE(in) << "no result.json; harness exit " << code;
  const auto result = nlohmann::json::parse(in);
  const auto& s = result.at("scenarios").at("metrics_only_short");
  EXPECT_EQ(code, 0) << s.dump(2);
  const auto& step = s.at("steps").at(0);
  const auto& m = step.at("metrics_only");
  ASSERT_TRUE(m.is_object()) << step.dump(2);
  EXPECT_EQ(m.at("prometheus_count_error").get<double>(), 0.0);
  EXPECT_EQ(m.at("counted_rate").get<double>(), 1.0);
  EXPECT_GT(m.at("requests").get<double>(), 1000);
  EXPECT_TRUE(m.at("throughput_ratio").at("value").is_number());
  EXPECT_TRUE(s.at("metrics_only_throughput_ratio").is_number());
  // The hook floor ran beside them (its program held and stopped cleanly, or the run failed).
  const double floor = step.at("floor_throughput_ratio").get<double>();
  EXPECT_GT(floor, 0.3) << step.dump(2);
  EXPECT_LT(floor, 2.0) << step.dump(2);
  EXPECT_EQ(step.at("arms").at("hook_floor").at("runs"), 1);
  // The metrics-only agent on the syscall data path ran beside it, as a ladder step.
  EXPECT_EQ(step.at("arms").at("syscall_path").at("runs"), 1);
  const double syscalls = step.at("syscall_path_throughput_ratio").get<double>();
  EXPECT_GT(syscalls, 0.3) << step.dump(2);
  EXPECT_LT(syscalls, 2.0) << step.dump(2);
  // ...and had a probe-time run of its own: empty hf_* programs on the data path's hooks (this
  // kernel: the socket path, a run per socket read and write), which cost bpf_stats less than
  // Hugin's programs doing their work.
  const auto& cost = step.at("cost_breakdown");
  const auto& floor_programs = cost.at("floor_programs");
  ASSERT_FALSE(floor_programs.empty()) << cost.dump(2);
  bool saw_recv = false, saw_sys_exit = false;
  for (const auto& p : floor_programs) {
    EXPECT_EQ(p.at("name").get<std::string>().rfind("hf_", 0), 0u) << p.dump();
    saw_sys_exit = saw_sys_exit || p.at("name") == "hf_sys_exit";
    if (p.at("name") == "hf_sock_recv") {
      saw_recv = true;
      EXPECT_GE(p.at("runs_per_request").get<double>(), 1) << p.dump();  // the server's read
    }
  }
  EXPECT_TRUE(saw_recv) << cost.dump(2);
  EXPECT_FALSE(saw_sys_exit) << "the syscall path's floor on a kernel with the socket path";
  EXPECT_GT(cost.at("floor_probe_ns_per_request").get<double>(), 0) << cost.dump(2);
  EXPECT_LT(cost.at("floor_probe_ns_per_request").get<double>(),
            cost.at("probe_ns_per_request").get<double>())
      << cost.dump(2);
  // The metrics-only agent had its own probe-time run too (it aggregates HTTP/1 in the kernel:
  // other work per call than Hugin's), and its table is its, not Hugin's.
  const auto& metrics_programs = cost.at("metrics_programs");
  ASSERT_FALSE(metrics_programs.empty()) << cost.dump(2);
  for (const auto& p : metrics_programs)
    EXPECT_EQ(p.at("name").get<std::string>().rfind("hg_", 0), 0u) << p.dump();
  EXPECT_GT(cost.at("metrics_probe_requests").get<double>(), 1000) << cost.dump(2);
  EXPECT_GT(cost.at("metrics_probe_ns_per_request").get<double>(), 0) << cost.dump(2);
  std::set<std::string> verdicts;
  for (const auto& v : s.at("verdicts")) {
    verdicts.insert(v.at("threshold").get<std::string>());
    EXPECT_EQ(v.at("status"), "PASS") << v.dump();
  }
  EXPECT_TRUE(verdicts.count("prometheus_count_error_max (hugin_metrics)"));
  ExpectCostBreakdown(step.at("cost_breakdown"), {"hugin", "hugin_metrics"});  // Arm order
  std::ifstream report(out + "/report.md");
  std::stringstream md;
  md << report.rdbuf();
  EXPECT_NE(md.str().find("#### Cost breakdown"), std::string::npos);
  EXPECT_NE(md.str().find("Agent CPU per request by stage, hugin_metrics"), std::string::npos);
  EXPECT_NE(md.str().find("The metrics-only agent's programs (probe-time run of hugin_metrics"),
            std::string::npos);
  EXPECT_NE(md.str().find("Metrics-only probe time above the floor: "), std::string::npos);
  EXPECT_NE(md.str().find(" (metrics only: "), std::string::npos);
  // Each agent arm's data path, read from the agent's own ready line: this kernel has the socket
  // tracepoints, and syscall_path asks for the other.
  EXPECT_NE(md.str().find(" Data path: hugin sockets, hugin_metrics sockets, syscall_path "
                          "syscalls."),
            std::string::npos)
      << md.str();
  EXPECT_NE(md.str().find("| cost ladder, syscall_path ("), std::string::npos);
}

// The harness is trusted only because it can be shown to fail: the agent plants losses and wrong
// statuses, and the harness must count exactly those (the agent's own tally is the oracle here).
TEST(HarnessEndToEnd, SelftestReportsExactlyThePlantedFaults) {
  const std::string out = std::string(std::getenv("TEST_TMPDIR")) + "/selftest";
  std::string output;
  const int code = hugin::harness::RunCommand(
      {Runfile("harness/harness"), Runfile("tests/harness/selftest_short.yaml"), "--out", out,
       "--no-microbench"},
      output, std::chrono::seconds(120));
  std::ifstream in(out + "/result.json");
  ASSERT_TRUE(in) << "no result.json; harness exit " << code;
  const auto result = nlohmann::json::parse(in);
  const auto& s = result.at("scenarios").at("selftest_short");
  EXPECT_EQ(code, 0) << s.dump(2);
  // ~6000 requests over the Hugin runs: every 50th span dropped, every 70th status swapped.
  const double silent = s.at("silent_loss").get<double>();
  EXPECT_GT(silent, 50);  // the faults were planted, and seen
  EXPECT_EQ(silent, s.at("injected_dropped_spans").get<double>());
  EXPECT_EQ(s.at("field_mismatches").at("status").get<double>(),
            s.at("injected_swapped_statuses").get<double>());
  EXPECT_GT(s.at("injected_swapped_statuses").get<double>(), 30);
  bool verdict_seen = false;
  for (const auto& v : s.at("verdicts")) {
    if (v.at("threshold") != "detects_injected_faults") continue;
    verdict_seen = true;
    EXPECT_EQ(v.at("status"), "PASS") << v.dump();
  }
  EXPECT_TRUE(verdict_seen);
}

}  // namespace
