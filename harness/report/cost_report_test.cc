#include "harness/report/cost_report.h"

#include <gtest/gtest.h>

#include "harness/analyze/summary.h"
#include "harness/report/metrics_arm_report.h"
#include "harness/report/report.h"

namespace hugin::harness {
namespace {

ProcessCost Cost(double cpu, std::vector<std::pair<std::string, double>> groups) {
  ProcessCost c;
  c.cpu_us_per_request = cpu;
  for (const auto& [g, us] : groups) {
    c.groups.push_back({g, 10, us / cpu, us, {{g + "_sym", 10}}});
    c.samples += 10;
  }
  return c;
}

CostBreakdown Sample() {
  CostBreakdown b;
  b.programs = {{"hg_close", 100, 20000, 0.1, 200, 20}, {"hg_sys_exit", 10000, 3000000, 10, 300, 3000}};
  b.probe_requests = 1000;
  b.probe_ns_per_request = 3020;
  b.baseline_service = Cost(50, {{"tracing", 0}, {"kernel", 30}, {"user", 20}});
  AgentArmCost a;
  a.arm = Arm::kHuginMetrics;
  a.requests = 1000;
  a.service = Cost(62, {{"tracing", 12}, {"kernel", 30}, {"user", 20}});
  a.service_added = DiffGroups(*b.baseline_service, a.service);
  a.agent = Cost(10, {{"ring buffer read", 1}, {"parser", 9}});
  b.arms.push_back(a);
  AgentArmCost failed;
  failed.arm = Arm::kHugin;
  failed.service = a.service;
  failed.service_added = a.service_added;
  failed.agent.error = "cannot start perf: No such file or directory";
  b.arms.push_back(failed);
  return b;
}

}  // namespace

TEST(CostReport, JsonCarriesProgramsDiffAndStages) {
  const auto j = CostBreakdownJson(Sample());
  ASSERT_EQ(j["programs"].size(), 2u);
  EXPECT_EQ(j["programs"][1]["name"], "hg_sys_exit");
  EXPECT_DOUBLE_EQ(j["programs"][1]["runs_per_request"].get<double>(), 10);
  EXPECT_DOUBLE_EQ(j["programs"][1]["ns_per_run"].get<double>(), 300);
  EXPECT_DOUBLE_EQ(j["programs"][1]["ns_per_request"].get<double>(), 3000);
  EXPECT_DOUBLE_EQ(j["probe_ns_per_request"].get<double>(), 3020);
  const auto& arm = j["arms"][0];
  EXPECT_EQ(arm["arm"], "hugin_metrics");
  EXPECT_EQ(arm["service_added"][0]["group"], "tracing");
  EXPECT_DOUBLE_EQ(arm["service_added"][0]["added_us_per_request"].get<double>(), 12);
  EXPECT_EQ(arm["agent"]["groups"][1]["group"], "parser");
  EXPECT_DOUBLE_EQ(arm["agent"]["groups"][1]["us_per_request"].get<double>(), 9);
  EXPECT_EQ(arm["agent"]["groups"][1]["top_symbols"][0]["symbol"], "parser_sym");
  EXPECT_TRUE(arm["agent"]["error"].is_null());
  EXPECT_EQ(j["arms"][1]["agent"]["error"], "cannot start perf: No such file or directory");
}

TEST(CostReport, MarkdownTablesAndPerfErrors) {
  const std::string md = CostBreakdownMarkdown(Sample(), {{Arm::kHuginMetrics, 8.5}});
  EXPECT_NE(md.find("#### Cost breakdown"), std::string::npos);
  EXPECT_NE(md.find("| hg_sys_exit | 10.00 | 300 | 3000 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| **total** | 10.10 | | 3020 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| tracing | 0.00 | 12.00 | 12.00 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| **total** | 50.00 | 62.00 | 12.00 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| parser | 10 | 90.0 % | 9.00 |"), std::string::npos) << md;
  EXPECT_NE(md.find("10.00 µs/req in this profile run; 8.50 in the paired runs"), std::string::npos)
      << md;
  EXPECT_NE(md.find("hugin agent profile: **cannot start perf"), std::string::npos) << md;
  EXPECT_EQ(CostBreakdownMarkdown(CostBreakdown{}), "");
  EXPECT_EQ(md.find("hook floor's empty programs"), std::string::npos) << md;
  EXPECT_EQ(md.find("metrics-only agent's programs"), std::string::npos) << md;
}

TEST(CostReport, HookFloorProgramsAndHuginAboveThem) {
  CostBreakdown b = Sample();
  b.floor_programs = {{"hf_sys_exit", 10000, 300000, 10, 30, 300}};
  b.floor_probe_requests = 1000;
  b.floor_probe_ns_per_request = 300;
  const std::string md = CostBreakdownMarkdown(b);
  EXPECT_NE(md.find("hook floor's empty programs under the same bpf_stats (probe-time run of "
                    "hook_floor, 1000 requests)"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| hf_sys_exit | 10.00 | 30 | 300 |"), std::string::npos) << md;
  EXPECT_NE(md.find("Hugin's probe time above the floor: 3020 − 300 = 2720 ns/request"),
            std::string::npos)
      << md;
  const auto j = CostBreakdownJson(b);
  ASSERT_EQ(j["floor_programs"].size(), 1u);
  EXPECT_EQ(j["floor_programs"][0]["name"], "hf_sys_exit");
  EXPECT_DOUBLE_EQ(j["floor_probe_ns_per_request"].get<double>(), 300);
  EXPECT_EQ(md.find("Metrics-only probe time"), std::string::npos) << md;  // no such run
  EXPECT_TRUE(j["metrics_programs"].empty());
  EXPECT_EQ(md.find("Probe time up the cost ladder"), std::string::npos) << md;  // no ladder run
  EXPECT_TRUE(j["ladder"].empty());
}

TEST(CostReport, MetricsOnlyProgramsUnderHuginsAndAboveTheFloor) {
  CostBreakdown b = Sample();
  b.metrics_programs = {{"hg_sys_exit", 10000, 1000000, 10, 100, 1000},
                        {"hg_data_ready", 2000, 100000, 2, 50, 100}};
  b.metrics_probe_requests = 1000;
  b.metrics_probe_ns_per_request = 1100;
  std::string md = CostBreakdownMarkdown(b);
  const size_t caption = md.find(
      "The metrics-only agent's programs (probe-time run of hugin_metrics, 1000 requests; trace "
      "printer off: HTTP/1 exchanges aggregated in the kernel):");
  ASSERT_NE(caption, std::string::npos) << md;
  EXPECT_GT(caption, md.find("| **total** | 10.10 | | 3020 |")) << md;  // under Hugin's table
  EXPECT_NE(md.find("| hg_data_ready | 2.00 | 50 | 100 |", caption), std::string::npos) << md;
  EXPECT_NE(md.find("| **total** | 12.00 | | 1100 |", caption), std::string::npos) << md;
  EXPECT_EQ(md.find("probe time above the floor"), std::string::npos) << md;  // no floor run
  b.floor_programs = {{"hf_sys_exit", 10000, 300000, 10, 30, 300}};
  b.floor_probe_requests = 1000;
  b.floor_probe_ns_per_request = 300;
  md = CostBreakdownMarkdown(b);
  EXPECT_NE(md.find("Hugin's probe time above the floor: 3020 − 300 = 2720 ns/request"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("Metrics-only probe time above the floor: 1100 − 300 = 800 ns/request"),
            std::string::npos)
      << md;
  const auto j = CostBreakdownJson(b);
  for (const char* key :
       {"metrics_programs", "metrics_probe_requests", "metrics_probe_ns_per_request"})
    ASSERT_TRUE(j.contains(key)) << key;
  ASSERT_EQ(j["metrics_programs"].size(), 2u);
  EXPECT_EQ(j["metrics_programs"][1]["name"], "hg_data_ready");
  EXPECT_DOUBLE_EQ(j["metrics_programs"][1]["ns_per_run"].get<double>(), 50);
  EXPECT_EQ(j["metrics_probe_requests"].get<uint64_t>(), 1000u);
  EXPECT_DOUBLE_EQ(j["metrics_probe_ns_per_request"].get<double>(), 1100);
  EXPECT_DOUBLE_EQ(j["probe_ns_per_request"].get<double>(), 3020);  // Hugin's stays Hugin's
}

TEST(CostReport, LadderTableFromTheFloorUpToHugin) {
  CostBreakdown b = Sample();  // Hugin: 3020 ns/request, 0.1 + 10 runs/request
  b.floor_programs = {{"hf_sys_exit", 10000, 300000, 10, 30, 300}};
  b.floor_probe_requests = 1000;
  b.floor_probe_ns_per_request = 300;
  b.metrics_programs = {{"hg_sys_exit", 10000, 1000000, 10, 100, 1000},
                        {"hg_data_ready", 2000, 100000, 2, 50, 100}};
  b.metrics_probe_requests = 1000;
  b.metrics_probe_ns_per_request = 1100;
  b.ladder = {{Arm::kStageLookup, 1000, 500, {{"hg_sock_recv", 8000, 500000, 8, 62.5, 500}}},
              {Arm::kStageHeads, 1000, 700,
               {{"hg_sock_recv", 8000, 600000, 8, 75, 600},
                {"hg_sock_send", 1000, 100000, 1, 100, 100}}},
              {Arm::kSyscallPath, 2000, 1800, {{"hg_sys_exit", 30000, 3600000, 15, 120, 1800}}}};
  const std::string md = CostBreakdownMarkdown(b);
  // ns/request above the floor: 500 - 300, 700 - 300, 1800 - 300, 1100 - 300, 3020 - 300.
  const size_t table = md.find(
      "| step | ns/request | runs/request | ns/request above the floor |\n|---|---|---|---|\n"
      "| hook_floor | 300 | 10.00 |  |\n"
      "| stage_lookup | 500 | 8.00 | 200 |\n"
      "| stage_heads | 700 | 9.00 | 400 |\n"
      "| syscall_path | 1800 | 15.00 | 1500 |\n"
      "| hugin_metrics (metrics-only) | 1100 | 12.00 | 800 |\n"
      "| hugin | 3020 | 10.10 | 2720 |\n\n");
  ASSERT_NE(table, std::string::npos) << md;
  const size_t caption = md.find("Probe time up the cost ladder (each step's own probe-time run;");
  ASSERT_NE(caption, std::string::npos) << md;
  EXPECT_LT(caption, table);
  // After the floor's table and its "above the floor" lines, before the profile runs.
  EXPECT_GT(caption, md.find("Metrics-only probe time above the floor: 1100 − 300 = 800")) << md;
  EXPECT_LT(table, md.find("Profile runs (perf record")) << md;
  // One compact table: no ladder arm's per-program table.
  EXPECT_EQ(md.find("| hg_sock_send |"), std::string::npos) << md;
  const auto j = CostBreakdownJson(b);
  ASSERT_EQ(j["ladder"].size(), 3u);
  EXPECT_EQ(j["ladder"][1]["arm"], "stage_heads");
  EXPECT_EQ(j["ladder"][1]["requests"].get<uint64_t>(), 1000u);
  EXPECT_DOUBLE_EQ(j["ladder"][1]["ns_per_request"].get<double>(), 700);
  ASSERT_EQ(j["ladder"][1]["programs"].size(), 2u);
  EXPECT_EQ(j["ladder"][1]["programs"][1]["name"], "hg_sock_send");
  EXPECT_DOUBLE_EQ(j["ladder"][1]["programs"][1]["ns_per_run"].get<double>(), 100);
  EXPECT_EQ(j["ladder"][2]["arm"], "syscall_path");
  EXPECT_EQ(j["ladder"][2]["requests"].get<uint64_t>(), 2000u);

  // hugin_metrics the only agent arm (its run is programs[]), no floor: no "above" figures, and
  // no row says hugin.
  CostBreakdown metrics_only;
  metrics_only.programs = b.metrics_programs;
  metrics_only.probe_arm = Arm::kHuginMetrics;
  metrics_only.probe_requests = 1000;
  metrics_only.probe_ns_per_request = 1100;
  metrics_only.ladder = {b.ladder[1]};
  const std::string alone = CostBreakdownMarkdown(metrics_only);
  EXPECT_NE(alone.find("|---|---|---|---|\n"
                       "| stage_heads | 700 | 9.00 |  |\n"
                       "| hugin_metrics (metrics-only) | 1100 | 12.00 |  |\n\n"),
            std::string::npos)
      << alone;
  EXPECT_EQ(alone.find("| hugin |"), std::string::npos) << alone;
}

// The ladder arm's probe-time run feeds the ladder row and nothing paired: its arm's runs,
// requests and ratios are the paired runs' alone, and the step's probe time stays the agent's.
TEST(CostReport, LadderProbeRunIsInNoPair) {
  Scenario s;
  s.name = "ladder";
  s.load.tool = "wrk";
  s.arms = {Arm::kBaseline, Arm::kStageLookup, Arm::kHuginMetrics, Arm::kHookFloor};
  std::vector<RunResult> runs;
  for (int pair : {1, 2})
    for (const Arm arm : s.arms) {
      RunResult r;
      r.arm = arm;
      r.pair = pair;
      r.ok = true;
      r.requests_served = 1000;
      r.load.p99_us = 100;
      r.load.throughput_rps = arm == Arm::kBaseline ? 1000 : 980;
      r.fixture_cpu_us = arm == Arm::kBaseline ? 10000 : 10500;  // +0.5 µs a request
      runs.push_back(r);
    }
  auto probe = [](Arm arm, uint64_t ns, uint64_t runs_count) {
    RunResult r;
    r.arm = arm;
    r.ok = true;
    r.probe_run = true;
    r.requests_served = 1000;
    r.load.throughput_rps = 500;  // bpf_stats slows it: no paired figure may see this
    r.fixture_cpu_us = 50000;
    r.bpf.run_time_ns = ns;
    r.bpf.run_cnt = runs_count;
    r.bpf.per_program = {{"hg_sock_recv", ns, runs_count}};
    return r;
  };
  runs.push_back(probe(Arm::kStageLookup, 400000, 6000));   // 400 ns, 6 runs a request
  runs.push_back(probe(Arm::kHuginMetrics, 900000, 4000));  // 900 ns, 4 runs a request
  runs.push_back(probe(Arm::kHookFloor, 200000, 4000));     // 200 ns, 4 runs a request
  const ScenarioSummary sum = Summarize(s, runs, {}, 1);
  const StepSummary& st = sum.steps[0];
  ASSERT_TRUE(st.arms.count(Arm::kStageLookup));
  EXPECT_EQ(st.arms.at(Arm::kStageLookup).runs, 2);
  EXPECT_DOUBLE_EQ(st.arms.at(Arm::kStageLookup).requests, 2000);
  EXPECT_NEAR(st.stage_throughput_ratio.at(Arm::kStageLookup).value, 0.98, 1e-9);
  EXPECT_NEAR(st.stage_added_cpu_us_per_request.at(Arm::kStageLookup).value, 0.5, 1e-9);
  EXPECT_DOUBLE_EQ(st.probe_ns_per_request, 900);
  EXPECT_DOUBLE_EQ(st.probe_runs_per_request, 4);
  ASSERT_EQ(st.cost.ladder.size(), 1u);
  const std::string md = ReportMarkdown(RunInfo{}, {sum}, {});
  EXPECT_NE(md.find("| hook_floor | 200 | 4.00 |  |\n"
                    "| stage_lookup | 400 | 6.00 | 200 |\n"
                    "| hugin_metrics (metrics-only) | 900 | 4.00 | 700 |\n"),
            std::string::npos)
      << md;
}

TEST(CostReport, BothAgentArmsEachHaveTheirProbeTimeInTheStep) {
  Scenario s;
  s.name = "both";
  s.load.tool = "wrk";
  s.arms = {Arm::kBaseline, Arm::kHugin, Arm::kHuginMetrics};
  std::vector<RunResult> runs;
  for (const Arm arm : s.arms) {
    RunResult r;
    r.arm = arm;
    r.pair = 1;
    r.ok = true;
    r.load.throughput_rps = 1000;
    r.load.p99_us = 100;
    r.requests_served = 500;
    runs.push_back(r);
  }
  auto probe = [](RunResult r, uint64_t ns, uint64_t runs_count) {
    r.pair = 0;
    r.probe_run = true;
    r.bpf.run_time_ns = ns;
    r.bpf.run_cnt = runs_count;
    r.bpf.per_program = {{"hg_sys_exit", ns, runs_count}};
    return r;
  };
  runs.push_back(probe(runs[1], 1000000, 4000));  // hugin: 2000 ns/request
  runs.push_back(probe(runs[2], 300000, 2000));   // hugin_metrics: 600 ns/request
  const ScenarioSummary sum = Summarize(s, runs, {}, 1);
  const StepSummary& st = sum.steps[0];
  EXPECT_DOUBLE_EQ(st.probe_ns_per_request, 2000);
  EXPECT_DOUBLE_EQ(st.probe_runs_per_request, 8);
  EXPECT_DOUBLE_EQ(st.cost.probe_ns_per_request, 2000);
  EXPECT_DOUBLE_EQ(st.cost.metrics_probe_ns_per_request, 600);
  const std::string md = ReportMarkdown(RunInfo{}, {sum}, {});
  EXPECT_NE(md.find("| kernel probe time per request (ns) / probe runs per request (all "
                    "processes' syscalls) / ring-buffer events per request | 2000 (metrics only: "
                    "600) / 8.00 / "),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("The metrics-only agent's programs (probe-time run of hugin_metrics, 500 "
                    "requests;"),
            std::string::npos)
      << md;
  ASSERT_TRUE(st.metrics_only);
  EXPECT_EQ(st.metrics_only->runs, 2);  // its paired and its own probe-time run
}

TEST(CostReport, MetricsOnlyArmInTheStepAndItsVerdict) {
  Scenario s;
  s.name = "m";
  s.load.tool = "wrk";
  s.arms = {Arm::kBaseline, Arm::kHuginMetrics};
  s.thresholds.prometheus_count_error_max = 0.0;
  RunResult base, metrics;
  base.arm = Arm::kBaseline;
  metrics.arm = Arm::kHuginMetrics;
  base.pair = metrics.pair = 1;
  base.ok = metrics.ok = true;
  base.load.throughput_rps = 1000;
  metrics.load.throughput_rps = 900;
  base.load.p99_us = metrics.load.p99_us = 100;
  base.requests_served = metrics.requests_served = 500;
  metrics.warmup_requests = 100;
  metrics.prometheus_count = 600;  // measured + warm-up: exact
  metrics.agent_cpu_us = 1000;
  RunResult probe = metrics;  // the probe-time run is hugin_metrics' when it is the only agent arm
  probe.pair = 0;
  probe.probe_run = true;
  probe.bpf.run_time_ns = 1000000;
  probe.bpf.per_program = {{"hg_sys_exit", 1000000, 4000}};
  const ScenarioSummary sum = Summarize(s, {base, metrics, probe}, {}, 1);
  EXPECT_DOUBLE_EQ(sum.steps[0].probe_ns_per_request, 2000);
  EXPECT_DOUBLE_EQ(sum.steps[0].probe_runs_per_request, 8);
  ASSERT_TRUE(sum.steps[0].metrics_only);
  EXPECT_EQ(sum.steps[0].metrics_only->runs, 2);  // paired and probe-time runs, never profile
  EXPECT_EQ(sum.steps[0].metrics_only->requests, 1200u);
  EXPECT_DOUBLE_EQ(sum.steps[0].metrics_only->agent_cpu_us_per_request, 2.0);  // paired run only
  EXPECT_DOUBLE_EQ(sum.steps[0].metrics_only->counted_rate, 1.0);
  EXPECT_DOUBLE_EQ(sum.steps[0].metrics_throughput_ratio->value, 0.9);
  EXPECT_TRUE(sum.passed());  // no span threshold fails for want of spans
  bool seen = false;
  for (const auto& v : sum.verdicts)
    if (v.name == "prometheus_count_error_max (hugin_metrics)") {
      seen = true;
      EXPECT_EQ(v.status, VerdictStatus::kPass) << v.detail;
    }
  EXPECT_TRUE(seen);
  const auto j = MetricsArmJson(sum.steps[0]);
  EXPECT_DOUBLE_EQ(j["prometheus_count_error"].get<double>(), 0.0);
  EXPECT_DOUBLE_EQ(j["agent_cpu_us_per_request"].get<double>(), 2.0);
  EXPECT_NE(MetricsArmRows(sum.steps[0]).find("1200 / 1200 = 1.0000"), std::string::npos)
      << MetricsArmRows(sum.steps[0]);
  // No span arm: the report prints no capture or field match (not a 0.0000 that reads as a
  // failure) and keeps the probe time.
  const std::string md = ReportMarkdown(RunInfo{}, {sum}, {});
  EXPECT_NE(md.find("| m | PASS | n/a | n/a | n/a | — | — | — | — | 2000 | — | — | "),
            std::string::npos)
      << md;
  EXPECT_EQ(md.find("\n| capture rate |"), std::string::npos) << md;  // the step row
  EXPECT_NE(md.find("| kernel probe time per request (ns) / probe runs per request (all "
                    "processes' syscalls) | 2000 / 8.00 |"),
            std::string::npos)
      << md;

  // One request short in Prometheus: the metrics arm's own verdict fails.
  RunResult short_by_one = metrics;
  short_by_one.prometheus_count = 599;
  const ScenarioSummary bad = Summarize(s, {base, short_by_one}, {}, 1);
  EXPECT_FALSE(bad.passed());
}

}  // namespace hugin::harness
