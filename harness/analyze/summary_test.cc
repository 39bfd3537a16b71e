#include "harness/analyze/summary.h"

#include <gtest/gtest.h>

namespace hugin::harness {
namespace {

RunResult MakeRun(Arm arm, int pair, double rps, double p99, uint64_t served = 1000,
              uint64_t matched = 1000) {
  RunResult r;
  r.arm = arm;
  r.pair = pair;
  r.ok = true;
  r.load.throughput_rps = rps;
  r.load.p99_us = p99;
  r.load.duration_s = 5;
  r.load.requests = double(served);
  r.requests_served = served;
  r.fixture_cpu_us = double(served) * 10;
  if (arm == Arm::kHugin) {
    r.match.requests = served;
    r.match.spans = matched;
    r.match.matched = matched;
    r.match.field_matched = matched;
    r.match.duration_delta_ns = {1000, 2000, 3000};
    r.loss.missing = served - matched;
    r.loss.silent_loss = served - matched;
    r.bpf.run_time_ns = served * 500;
    r.bpf.run_cnt = served * 4;
    r.agent_cpu_us = double(served) * 2;
    r.counters.events_received = double(served) * 3;
    r.agent_rss_bytes = 20 << 20;
    r.prometheus_count = double(matched);
  }
  return r;
}

Scenario WithThresholds() {
  Scenario s;
  s.name = "t";
  s.thresholds.capture_rate_min = 1.0;
  s.thresholds.silent_loss_max = 0;
  s.thresholds.throughput_ratio_min = 0.8;
  s.thresholds.p99_latency_ratio_max = 2.0;
  s.thresholds.prometheus_count_error_max = 0.0;
  return s;
}

const Verdict& Find(const std::vector<Verdict>& v, const std::string& name) {
  for (const auto& x : v)
    if (x.name == name) return x;
  static Verdict none{"missing", VerdictStatus::kFail, ""};
  return none;
}

}  // namespace

TEST(Summary, PairedRatiosAndPerRequestFigures) {
  std::vector<RunResult> runs{MakeRun(Arm::kBaseline, 1, 1000, 100), MakeRun(Arm::kHugin, 1, 900, 150),
                              MakeRun(Arm::kBaseline, 2, 2000, 100), MakeRun(Arm::kHugin, 2, 1600, 120),
                              MakeRun(Arm::kBaseline, 3, 1000, 200), MakeRun(Arm::kHugin, 3, 950, 200)};
  const StepSummary st = SummarizeStep(0, runs);
  EXPECT_DOUBLE_EQ(*st.throughput_ratio, 0.9);      // median of 0.9, 0.8, 0.95
  EXPECT_DOUBLE_EQ(*st.p99_latency_ratio, 1.2);     // median of 1.5, 1.2, 1.0
  EXPECT_EQ(st.arms.at(Arm::kBaseline).runs, 3);
  EXPECT_DOUBLE_EQ(st.arms.at(Arm::kBaseline).throughput_rps, 1000);
  EXPECT_DOUBLE_EQ(st.arms.at(Arm::kHugin).fixture_cpu_us_per_request, 10);
  EXPECT_EQ(st.requests, 3000u);
  EXPECT_DOUBLE_EQ(st.capture_rate, 1.0);
  EXPECT_DOUBLE_EQ(st.probe_ns_per_request, 500);
  EXPECT_DOUBLE_EQ(st.probe_runs_per_request, 4);
  EXPECT_DOUBLE_EQ(st.events_per_request, 3);
  EXPECT_DOUBLE_EQ(st.agent_cpu_us_per_request, 2);
  EXPECT_EQ(st.agent_rss_bytes, 20u << 20);
  EXPECT_DOUBLE_EQ(st.duration_delta_p50_us, 2);
  EXPECT_DOUBLE_EQ(*st.prometheus_count_error, 0);
  EXPECT_FALSE(st.otel_throughput_ratio);
}

TEST(Summary, FailedRunsDoNotEnterRatios) {
  RunResult broken = MakeRun(Arm::kHugin, 2, 1, 100000);
  broken.ok = false;
  broken.error = "agent did not start";
  std::vector<RunResult> runs{MakeRun(Arm::kBaseline, 1, 1000, 100), MakeRun(Arm::kHugin, 1, 900, 100),
                              MakeRun(Arm::kBaseline, 2, 1000, 100), broken};
  const ScenarioSummary s = Summarize(WithThresholds(), runs, {}, 1);
  EXPECT_DOUBLE_EQ(*s.steps[0].throughput_ratio, 0.9);
  EXPECT_FALSE(s.passed());
  EXPECT_EQ(Find(s.verdicts, "all_runs_completed").status, VerdictStatus::kFail);
  EXPECT_NE(s.errors.front().find("agent did not start"), std::string::npos);
}

TEST(Summary, ThresholdsPassAndFail) {
  std::vector<RunResult> good{MakeRun(Arm::kBaseline, 1, 1000, 100), MakeRun(Arm::kHugin, 1, 900, 150)};
  const ScenarioSummary ok = Summarize(WithThresholds(), good, {}, 1);
  EXPECT_TRUE(ok.passed());
  for (const auto& v : ok.verdicts) EXPECT_EQ(v.status, VerdictStatus::kPass) << v.name << v.detail;

  std::vector<RunResult> bad{MakeRun(Arm::kBaseline, 1, 1000, 100), MakeRun(Arm::kHugin, 1, 500, 300, 1000, 990)};
  const ScenarioSummary fail = Summarize(WithThresholds(), bad, {}, 1);
  EXPECT_FALSE(fail.passed());
  EXPECT_EQ(Find(fail.verdicts, "capture_rate_min").status, VerdictStatus::kFail);
  EXPECT_EQ(Find(fail.verdicts, "silent_loss_max").status, VerdictStatus::kFail);
  EXPECT_EQ(Find(fail.verdicts, "throughput_ratio_min").status, VerdictStatus::kFail);
  EXPECT_EQ(Find(fail.verdicts, "p99_latency_ratio_max").status, VerdictStatus::kFail);
  EXPECT_EQ(Find(fail.verdicts, "prometheus_count_error_max").status, VerdictStatus::kFail);
  EXPECT_NE(Find(fail.verdicts, "capture_rate_min").detail.find("0.9900"), std::string::npos);
}

TEST(Summary, ExpectedUnsupportedIsAVerdictNotAFailure) {
  Scenario s = WithThresholds();
  s.expected_unsupported = "the tracer is HTTP/1.x only";
  std::vector<RunResult> runs{MakeRun(Arm::kBaseline, 1, 1000, 100), MakeRun(Arm::kHugin, 1, 990, 100, 1000, 0)};
  runs[1].prometheus_count.reset();
  runs[1].prometheus_error = "prometheus returned no series";
  const ScenarioSummary sum = Summarize(s, runs, {}, 1);
  EXPECT_TRUE(sum.passed());
  EXPECT_EQ(Find(sum.verdicts, "capture_rate_min").status, VerdictStatus::kExpectedUnsupported);
  EXPECT_NE(Find(sum.verdicts, "capture_rate_min").detail.find("HTTP/1.x only"), std::string::npos);
  EXPECT_EQ(Find(sum.verdicts, "throughput_ratio_min").status, VerdictStatus::kPass);
}

TEST(Summary, OverloadMustShowCountedLoss) {
  Scenario s;
  s.name = "overload";
  s.arms = {Arm::kHugin};
  s.load.rates = {1000, 5000};
  s.thresholds.silent_loss_max = 0;
  s.thresholds.expect_kernel_drops = true;
  RunResult low = MakeRun(Arm::kHugin, 1, 1000, 100);
  low.rate = 1000;
  RunResult high = MakeRun(Arm::kHugin, 1, 5000, 100, 5000, 4000);
  high.rate = 5000;
  high.loss.silent_loss = 0;
  high.counters.kernel_drops_by_reason["ringbuf_full"] = 3000;
  const ScenarioSummary sum = Summarize(s, {low, high}, {}, 1);
  ASSERT_EQ(sum.steps.size(), 2u);
  EXPECT_EQ(sum.steps[1].missing, 1000u);
  EXPECT_DOUBLE_EQ(sum.steps[1].kernel_drops, 3000);
  EXPECT_FALSE(sum.steps[0].throughput_ratio);  // no baseline arm
  EXPECT_TRUE(sum.passed());
  EXPECT_EQ(Find(sum.verdicts, "expect_kernel_drops").status, VerdictStatus::kPass);

  const ScenarioSummary no_loss = Summarize(s, {low}, {}, 1);
  EXPECT_EQ(Find(no_loss.verdicts, "expect_kernel_drops").status, VerdictStatus::kFail);
}

TEST(Summary, OtelArmRatiosAndSpanCount) {
  RunResult otel = MakeRun(Arm::kOtel, 1, 500, 400);
  otel.otel_spans = 1000;
  std::vector<RunResult> runs{MakeRun(Arm::kBaseline, 1, 1000, 100), MakeRun(Arm::kHugin, 1, 950, 110), otel};
  const StepSummary st = SummarizeStep(0, runs);
  EXPECT_DOUBLE_EQ(*st.otel_throughput_ratio, 0.5);
  EXPECT_DOUBLE_EQ(*st.otel_p99_latency_ratio, 4);
  EXPECT_DOUBLE_EQ(*st.otel_capture_rate, 1.0);
}

}  // namespace hugin::harness
