#include "harness/report/report.h"

#include <gtest/gtest.h>

#include <cmath>

namespace hugin::harness {

TEST(Report, ResultJsonHasTheIssueKeysPerScenario) {
  Scenario s;
  s.name = "quickstart";
  s.load.tool = "wrk";
  s.thresholds.capture_rate_min = 1.0;
  RunResult base, hugin;
  base.arm = Arm::kBaseline;
  hugin.arm = Arm::kHugin;
  base.pair = hugin.pair = 1;
  base.ok = hugin.ok = true;
  base.load.throughput_rps = 1000;
  hugin.load.throughput_rps = 950;
  base.load.p99_us = hugin.load.p99_us = 100;
  hugin.requests_served = hugin.match.requests = hugin.match.matched = hugin.match.spans = 500;
  hugin.match.field_matched = 500;
  hugin.match.identity_matched = true;
  hugin.match.misattributed = 3;
  hugin.warmup_requests = 40;
  hugin.counters.kernel_drops_by_reason["ringbuf_full"] = 0;
  hugin.data_path = "sockets";
  const ScenarioSummary sum = Summarize(s, {base, hugin}, {}, 3.5);
  RunInfo info;
  info.commit = "abc123";
  const auto j = ResultJson(info, {sum});
  EXPECT_EQ(j["commit"], "abc123");
  EXPECT_EQ(j["passed"], true);
  const auto& q = j["scenarios"]["quickstart"];
  for (const char* key : {"throughput_ratio", "p99_latency_ratio", "capture_rate",
                          "field_match_rate", "silent_loss", "kernel_drops",
                          "probe_ns_per_request", "agent_cpu_us_per_request", "agent_rss_bytes",
                          "requests", "spans", "identity_matched", "misattributed",
                          "duplicate_spans", "warmup_requests"})
    EXPECT_TRUE(q.contains(key)) << key;
  EXPECT_EQ(q["identity_matched"], true);
  EXPECT_EQ(q["misattributed"], 3);
  EXPECT_EQ(q["warmup_requests"], 40);
  EXPECT_EQ(q["steps"][0]["misattributed"], 3);
  EXPECT_DOUBLE_EQ(q["throughput_ratio"].get<double>(), 0.95);
  EXPECT_EQ(q["requests"], 500);
  EXPECT_EQ(q["verdicts"][1]["threshold"], "capture_rate_min");
  EXPECT_EQ(q["verdicts"][1]["status"], "PASS");

  const std::string md = ReportMarkdown(info, {sum}, {{"quickstart", {"plots/q.png"}}});
  EXPECT_NE(md.find("## quickstart"), std::string::npos);
  EXPECT_NE(md.find("PASS `capture_rate_min`"), std::string::npos);
  EXPECT_NE(md.find("![plots/q.png](plots/q.png)"), std::string::npos);
  EXPECT_NE(md.find("`abc123`"), std::string::npos);
  EXPECT_NE(md.find("| matching | by request identity"), std::string::npos);
  EXPECT_NE(md.find("| misattributed / duplicate spans / warm-up requests (left out) | 3 / 0 / 40 |"),
            std::string::npos);
  EXPECT_NE(md.find("load wrk request mix (seed 1)"), std::string::npos) << md;
  EXPECT_NE(md.find(" Data path: hugin sockets. Wall time"), std::string::npos) << md;

  // The summary picture sits under the summary table (before the first scenario section), the
  // appendix at the very end.
  ReportExtras extras;
  extras.summary_plot = "plots/summary.png";
  extras.appendix = "## Microbenchmarks\n\nrows\n";
  const std::string with = ReportMarkdown(info, {sum}, {}, extras);
  const size_t picture = with.find("![summary](plots/summary.png)");
  ASSERT_NE(picture, std::string::npos);
  EXPECT_GT(picture, with.find("| quickstart | PASS"));
  EXPECT_LT(picture, with.find("## quickstart"));
  EXPECT_EQ(with.substr(with.size() - extras.appendix.size()), extras.appendix);
  EXPECT_EQ(md.find("![summary]"), std::string::npos);
}

}  // namespace hugin::harness

namespace hugin::harness {

TEST(Report, WireTimingPerStepAndPerRun) {
  Scenario s;
  s.name = "fixed";
  s.load.tool = "h2load";
  s.load.rates = {1000};
  s.thresholds.wire_duration_within_1ms_or_5pct_min = 0.99;
  RunResult base, hugin;
  base.arm = Arm::kBaseline;
  hugin.arm = Arm::kHugin;
  base.pair = hugin.pair = 1;
  base.rate = hugin.rate = 1000;
  base.ok = hugin.ok = true;
  base.wire.emplace();
  base.wire->capture.ran = true;
  base.wire->capture.packets = 2000;
  hugin.wire.emplace();
  hugin.wire->capture.ran = true;
  hugin.wire->capture.packets = 2100;
  hugin.wire->spans = hugin.wire->joined = hugin.wire->wire_exchanges = 2;
  hugin.wire->start_error_us = {5, 7};
  hugin.wire->end_error_us = {1, -3};
  hugin.wire->duration_error_us = {-4, -10};
  hugin.wire->within_tolerance = 2;
  hugin.wire->processing_minus_handler_us = {20, 30};
  const ScenarioSummary sum = Summarize(s, {base, hugin}, {}, 1);
  const auto j = ScenarioJson(sum);
  const auto& w = j["steps"][0]["wire_timing"];
  EXPECT_EQ(w["valid"], true);
  EXPECT_EQ(w["baseline_packets"], 2000);
  EXPECT_EQ(w["packets"], 2100);
  EXPECT_DOUBLE_EQ(w["duration_error_us"]["max_abs"].get<double>(), 10);
  EXPECT_DOUBLE_EQ(w["duration_within_1ms_or_5pct"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(w["processing_minus_handler_us"]["p50"].get<double>(), 25);
  EXPECT_EQ(j["runs"][0]["wire"]["capture"]["packets"], 2000);
  EXPECT_DOUBLE_EQ(j["runs"][1]["wire"]["start_error_us"]["p50"].get<double>(), 6);
  const std::string md = ReportMarkdown(RunInfo{}, {sum}, {});
  EXPECT_NE(md.find("### Timing vs the wire"), std::string::npos);
  EXPECT_NE(md.find("| 1000 req/s | 2 / 2 (0, 0) | 6.0 / 7.0 / 7.0 |"), std::string::npos) << md;
  EXPECT_NE(md.find("PASS `wire_duration_within_1ms_or_5pct_min`"), std::string::npos);
}

}  // namespace hugin::harness

namespace hugin::harness {

TEST(Report, HookFloorArmRowAndJson) {
  Scenario s;
  s.name = "floor";
  s.load.tool = "wrk";
  s.arms = {Arm::kBaseline, Arm::kHookFloor};
  std::vector<RunResult> runs;
  for (int pair : {1, 2}) {
    RunResult base, floor;
    base.arm = Arm::kBaseline;
    floor.arm = Arm::kHookFloor;
    base.pair = floor.pair = pair;
    base.ok = floor.ok = true;
    base.load.throughput_rps = 1000;
    floor.load.throughput_rps = pair == 1 ? 900 : 800;
    base.load.p99_us = 100;
    floor.load.p99_us = 200;
    base.requests_served = floor.requests_served = 1000;
    base.fixture_cpu_us = 10000;  // 10 µs a request
    floor.fixture_cpu_us = 13000;  // 13
    runs.push_back(base);
    runs.push_back(floor);
  }
  const ScenarioSummary sum = Summarize(s, runs, {}, 1);
  const auto j = ResultJson(RunInfo{}, {sum});
  const auto& step = j["scenarios"]["floor"]["steps"][0];
  EXPECT_NEAR(step["floor_throughput_ratio"].get<double>(), std::sqrt(0.9 * 0.8), 1e-9);
  EXPECT_DOUBLE_EQ(step["floor_p99_latency_ratio"].get<double>(), 2.0);
  EXPECT_DOUBLE_EQ(step["floor_added_cpu_us_per_request"].get<double>(), 3.0);
  EXPECT_DOUBLE_EQ(step["pairs"][1]["floor_throughput_ratio"].get<double>(), 0.8);
  const std::string md = ReportMarkdown(RunInfo{}, {sum}, {});
  EXPECT_NE(md.find("| hook floor (hook_floor: empty BPF programs on Hugin's hooks): throughput / "
                    "p99 ratio vs baseline | 0.849"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| added CPU per request with the hook floor, µs | 3.00"), std::string::npos)
      << md;
}

}  // namespace hugin::harness

namespace hugin::harness {

TEST(Report, CostLadderArmsRowsAndJson) {
  Scenario s;
  s.name = "ladder";
  s.load.tool = "wrk";
  s.arms = {Arm::kBaseline, Arm::kStageLookup, Arm::kStageHeads, Arm::kSyscallPath};
  std::vector<RunResult> runs;
  for (int pair : {1, 2}) {
    RunResult base, lookup, heads, syscalls;
    base.arm = Arm::kBaseline;
    lookup.arm = Arm::kStageLookup;
    heads.arm = Arm::kStageHeads;
    syscalls.arm = Arm::kSyscallPath;
    for (RunResult* r : {&base, &lookup, &heads, &syscalls}) {
      r->pair = pair;
      r->ok = true;
      r->requests_served = 1000;
      r->load.p99_us = 100;
    }
    base.load.throughput_rps = 1000;
    lookup.load.throughput_rps = pair == 1 ? 990 : 970;
    heads.load.throughput_rps = 950;
    base.fixture_cpu_us = 10000;    // 10 µs a request
    lookup.fixture_cpu_us = 10500;  // +0.5
    heads.fixture_cpu_us = 11000;   // +1.0
    lookup.agent_cpu_us = 100;      // +0.1: the agent's CPU counts in the added CPU
    syscalls.load.throughput_rps = 900;
    syscalls.fixture_cpu_us = 12000;  // +2.0
    runs.insert(runs.end(), {base, lookup, heads, syscalls});
  }
  const ScenarioSummary sum = Summarize(s, runs, {}, 1);
  const auto j = ResultJson(RunInfo{}, {sum});
  const auto& step = j["scenarios"]["ladder"]["steps"][0];
  EXPECT_NEAR(step["stage_lookup_throughput_ratio"].get<double>(), std::sqrt(0.99 * 0.97), 1e-9);
  EXPECT_NEAR(step["stage_heads_throughput_ratio"].get<double>(), 0.95, 1e-9);
  EXPECT_NEAR(step["stage_lookup_added_cpu_us_per_request"].get<double>(), 0.6, 1e-9);
  EXPECT_NEAR(step["stage_heads_added_cpu_us_per_request"].get<double>(), 1.0, 1e-9);
  EXPECT_DOUBLE_EQ(step["pairs"][1]["stage_throughput_ratio"]["stage_lookup"].get<double>(), 0.97);
  const std::string md = ReportMarkdown(RunInfo{}, {sum}, {});
  EXPECT_NE(md.find("| cost ladder, stage_lookup (each data call finds its connection, then "
                    "stops): throughput ratio vs baseline / added CPU per request, µs | 0.980"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| cost ladder, stage_heads ("), std::string::npos) << md;
  EXPECT_NEAR(step["syscall_path_throughput_ratio"].get<double>(), 0.90, 1e-9);
  EXPECT_NEAR(step["syscall_path_added_cpu_us_per_request"].get<double>(), 2.0, 1e-9);
  EXPECT_NE(md.find("| cost ladder, syscall_path (the whole metrics-only agent on the syscall "
                    "data path"),
            std::string::npos)
      << md;
  // Its agent runs on the syscall data path, whatever the kernel offers.
  EXPECT_STREQ(DataPathOf(Arm::kSyscallPath), "syscalls");
  EXPECT_EQ(DataPathOf(Arm::kHuginMetrics), nullptr);
  EXPECT_EQ(ParseArm("syscall_path"), Arm::kSyscallPath);
  EXPECT_NE(ArmLetter(Arm::kSyscallPath), ArmLetter(Arm::kStageHeads));
  // Ladder arms are no agent arm whose telemetry is checked.
  EXPECT_FALSE(IsAgentArm(Arm::kStageLookup));
  EXPECT_TRUE(RunsAgent(Arm::kStageHeads));
  EXPECT_EQ(ParseArm("stage_heads"), Arm::kStageHeads);
  EXPECT_STREQ(ProbeStageOf(Arm::kStageLookup), "lookup");
}

}  // namespace hugin::harness
