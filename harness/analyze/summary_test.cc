#include "harness/analyze/summary.h"
#include "harness/analyze/metrics_arm.h"

#include <gtest/gtest.h>

#include <cmath>

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

RunResult ProbeRun(uint64_t served) {
  RunResult r = MakeRun(Arm::kHugin, 0, 800, 180, served, served);
  r.probe_run = true;
  r.bpf.run_time_ns = served * 500;
  r.bpf.run_cnt = served * 4;
  r.agent_cpu_us = double(served) * 50;  // bpf_stats on: not a cost figure
  return r;
}

TEST(Summary, PairedRatiosAreGeometricMeansWithIntervals) {
  std::vector<RunResult> runs{MakeRun(Arm::kBaseline, 1, 1000, 100), MakeRun(Arm::kHugin, 1, 900, 150),
                              MakeRun(Arm::kHugin, 2, 1600, 120), MakeRun(Arm::kBaseline, 2, 2000, 100),
                              MakeRun(Arm::kBaseline, 3, 1000, 200), MakeRun(Arm::kHugin, 3, 950, 200),
                              ProbeRun(1000)};
  for (auto& r : runs)
    if (r.arm == Arm::kHugin && !r.probe_run) r.bpf.run_time_ns = 1;  // only the probe run counts
  const StepSummary st = SummarizeStep(0, runs);
  ASSERT_TRUE(st.throughput_ratio);
  EXPECT_NEAR(st.throughput_ratio->value, std::cbrt(0.9 * 0.8 * 0.95), 1e-12);
  EXPECT_NEAR(st.p99_latency_ratio->value, std::cbrt(1.5 * 1.2 * 1.0), 1e-12);
  ASSERT_TRUE(st.throughput_ratio->ci95);
  EXPECT_GE(st.throughput_ratio->ci95->low, 0.8 - 1e-12);
  EXPECT_LE(st.throughput_ratio->ci95->high, 0.95 + 1e-12);
  EXPECT_LT(st.throughput_ratio->ci95->low, st.throughput_ratio->value);
  ASSERT_EQ(st.pairs.size(), 3u);
  EXPECT_DOUBLE_EQ(*st.pairs[1].throughput_ratio, 0.8);
  // Added CPU per request: (fixture 10 + agent 2 + load tool 0) - (fixture 10) = 2 µs per pair.
  ASSERT_TRUE(st.added_cpu_us_per_request);
  EXPECT_DOUBLE_EQ(st.added_cpu_us_per_request->value, 2);
  EXPECT_EQ(st.arms.at(Arm::kBaseline).runs, 3);
  EXPECT_EQ(st.arms.at(Arm::kHugin).runs, 3);  // the probe run is no pair member
  EXPECT_DOUBLE_EQ(st.arms.at(Arm::kBaseline).throughput_rps, 1000);
  EXPECT_DOUBLE_EQ(st.arms.at(Arm::kHugin).fixture_cpu_us_per_request, 10);
  EXPECT_EQ(st.requests, 4000u);  // correctness counts every Hugin run, the probe run too
  EXPECT_DOUBLE_EQ(st.capture_rate, 1.0);
  EXPECT_DOUBLE_EQ(st.probe_ns_per_request, 500);  // from the probe run only
  EXPECT_DOUBLE_EQ(st.probe_runs_per_request, 4);
  EXPECT_DOUBLE_EQ(st.events_per_request, 3);
  EXPECT_DOUBLE_EQ(st.agent_cpu_us_per_request, 2);  // paired runs only
  EXPECT_EQ(st.agent_rss_bytes, 20u << 20);
  EXPECT_DOUBLE_EQ(st.duration_delta_p50_us, 2);
  EXPECT_DOUBLE_EQ(*st.prometheus_count_error, 0);
  EXPECT_FALSE(st.otel_throughput_ratio);
}

TEST(Summary, LoadToolAndAgentCpuEnterAddedCpu) {
  RunResult base = MakeRun(Arm::kBaseline, 1, 1000, 100);
  RunResult hugin = MakeRun(Arm::kHugin, 1, 1000, 100);
  base.load.tool_cpu_us = 1000 * 5.0;   // 5 µs/request of load tool CPU
  hugin.load.tool_cpu_us = 1000 * 5.5;  // the in-kernel filtering of its syscalls: +0.5
  const StepSummary st = SummarizeStep(0, {base, hugin});
  EXPECT_DOUBLE_EQ(st.added_cpu_us_per_request->value, 2.5);
}

TEST(Summary, FailedRunsDoNotEnterRatios) {
  RunResult broken = MakeRun(Arm::kHugin, 2, 1, 100000);
  broken.ok = false;
  broken.error = "agent did not start";
  std::vector<RunResult> runs{MakeRun(Arm::kBaseline, 1, 1000, 100), MakeRun(Arm::kHugin, 1, 900, 100),
                              MakeRun(Arm::kBaseline, 2, 1000, 100), broken};
  const ScenarioSummary s = Summarize(WithThresholds(), runs, {}, 1);
  EXPECT_DOUBLE_EQ(s.steps[0].throughput_ratio->value, 0.9);
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

TEST(Summary, VerdictsUseTheIntervalBoundNotThePointEstimate) {
  // Four pairs at 0.95 and one at 0.5: the geometric mean (0.84) is above 0.8, but the interval
  // reaches below it: not good enough to claim >= 0.8.
  std::vector<RunResult> runs;
  const double hugin_rps[] = {950, 950, 500, 950, 950};
  for (int p = 1; p <= 5; ++p) {
    runs.push_back(MakeRun(Arm::kBaseline, p, 1000, 100));
    runs.push_back(MakeRun(Arm::kHugin, p, hugin_rps[p - 1], 100));
  }
  const ScenarioSummary sum = Summarize(WithThresholds(), runs, {}, 1);
  const StepSummary& st = sum.steps.front();
  EXPECT_GT(st.throughput_ratio->value, 0.8);
  EXPECT_LT(st.throughput_ratio->ci95->low, 0.8);
  const Verdict& v = Find(sum.verdicts, "throughput_ratio_min");
  EXPECT_EQ(v.status, VerdictStatus::kFail) << v.detail;
  EXPECT_NE(v.detail.find("interval low"), std::string::npos) << v.detail;

  // The same five pairs all at 0.95 pass.
  for (auto& r : runs)
    if (r.arm == Arm::kHugin) r.load.throughput_rps = 950;
  EXPECT_EQ(Find(Summarize(WithThresholds(), runs, {}, 1).verdicts, "throughput_ratio_min").status,
            VerdictStatus::kPass);
}

TEST(Summary, ExpectedUnsupportedIsAssertedNotAssumed) {
  Scenario s = WithThresholds();
  s.expected_unsupported = "the tracer is HTTP/1.x only";
  std::vector<RunResult> runs{MakeRun(Arm::kBaseline, 1, 1000, 100),
                              MakeRun(Arm::kHugin, 1, 990, 100, 1000, 0)};
  runs[1].match.spans = 0;
  const ScenarioSummary sum = Summarize(s, runs, {}, 1);
  EXPECT_TRUE(sum.passed());
  EXPECT_EQ(Find(sum.verdicts, "expected_unsupported").status, VerdictStatus::kExpectedUnsupported);
  EXPECT_NE(Find(sum.verdicts, "expected_unsupported").detail.find("HTTP/1.x only"),
            std::string::npos);
  EXPECT_EQ(Find(sum.verdicts, "capture_rate_min").name, "missing");  // not evaluated
  EXPECT_EQ(Find(sum.verdicts, "throughput_ratio_min").status, VerdictStatus::kPass);  // still is

  // Spans appear: the scenario file is stale, and the run fails until it is updated.
  runs[1].match.spans = 3;
  const ScenarioSummary stale = Summarize(s, runs, {}, 1);
  EXPECT_FALSE(stale.passed());
  EXPECT_EQ(Find(stale.verdicts, "expected_unsupported").status, VerdictStatus::kUnexpectedPass);
}

TEST(Summary, EveryStepIsCheckedAndTheWorstIsNamed) {
  Scenario s;
  s.name = "overload";
  s.arms = {Arm::kHugin};
  s.load.rates = {1000, 5000};
  s.thresholds.capture_rate_min = 0.9;
  s.thresholds.silent_loss_max = 0;
  s.thresholds.unattributed_drops_max = 0;
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
  EXPECT_EQ(Find(sum.verdicts, "expect_kernel_drops").status, VerdictStatus::kPass);
  // Capture 0.8 at the second step fails, and the verdict names that step.
  const Verdict& capture = Find(sum.verdicts, "capture_rate_min");
  EXPECT_EQ(capture.status, VerdictStatus::kFail);
  EXPECT_NE(capture.detail.find("at 5000 req/s"), std::string::npos) << capture.detail;
  EXPECT_NEAR(HeadlineOf(sum).capture_rate, 0.8, 1e-12);
  EXPECT_EQ(HeadlineOf(sum).worst_capture_step_rate, 5000);

  RunResult unexplained = high;
  unexplained.loss.unattributed_drops = 7;
  const ScenarioSummary drops = Summarize(s, {low, unexplained}, {}, 1);
  EXPECT_EQ(Find(drops.verdicts, "unattributed_drops_max").status, VerdictStatus::kFail);

  const ScenarioSummary no_loss = Summarize(s, {low}, {}, 1);
  EXPECT_EQ(Find(no_loss.verdicts, "expect_kernel_drops").status, VerdictStatus::kFail);
}

TEST(Summary, SelftestComparesSilentLossWithWhatWasPlanted) {
  Scenario s;
  s.name = "selftest";
  s.arms = {Arm::kHugin};
  s.thresholds.detects_injected_faults = true;
  RunResult r = MakeRun(Arm::kHugin, 1, 1000, 100, 1000, 998);
  r.loss.silent_loss = 2;
  r.match.mismatches.status = 1;
  r.injected_dropped_spans = 2;
  r.injected_swapped_statuses = 1;
  EXPECT_EQ(Find(Summarize(s, {r}, {}, 1).verdicts, "detects_injected_faults").status,
            VerdictStatus::kPass);
  r.loss.silent_loss = 1;  // the harness missed one planted loss
  EXPECT_EQ(Find(Summarize(s, {r}, {}, 1).verdicts, "detects_injected_faults").status,
            VerdictStatus::kFail);
  r.loss.silent_loss = 2;
  r.injected_swapped_statuses.reset();  // the agent never said what it planted
  EXPECT_EQ(Find(Summarize(s, {r}, {}, 1).verdicts, "detects_injected_faults").status,
            VerdictStatus::kFail);
}

TEST(Summary, OtelArmRatiosAndSpanCount) {
  RunResult otel = MakeRun(Arm::kOtel, 1, 500, 400);
  otel.otel_spans = 1100;
  otel.warmup_requests = 100;  // the SDK ends spans for warm-up requests too
  std::vector<RunResult> runs{MakeRun(Arm::kBaseline, 1, 1000, 100), MakeRun(Arm::kHugin, 1, 950, 110), otel};
  const StepSummary st = SummarizeStep(0, runs);
  EXPECT_DOUBLE_EQ(st.otel_throughput_ratio->value, 0.5);
  EXPECT_DOUBLE_EQ(st.otel_p99_latency_ratio->value, 4);
  EXPECT_DOUBLE_EQ(*st.otel_capture_rate, 1.0);
}

TEST(Summary, IdentityCountsAddUpAndMisattributionFailsFieldMatch) {
  RunResult a = MakeRun(Arm::kHugin, 1, 900, 150), b = MakeRun(Arm::kHugin, 2, 900, 150);
  a.match.identity_matched = b.match.identity_matched = true;
  a.match.misattributed = 10;  // 1000 matched + 10 misattributed, 1000 right
  b.match.duplicate_spans = 2;
  a.warmup_requests = b.warmup_requests = 50;  // counted by the runner
  StepSummary st = SummarizeStep(0, {a, b});
  EXPECT_TRUE(st.identity_matched);
  EXPECT_EQ(st.misattributed, 10u);
  EXPECT_EQ(st.duplicate_spans, 2u);
  EXPECT_EQ(st.warmup_requests, 100u);
  EXPECT_NEAR(st.field_match_rate, 2000.0 / 2010.0, 1e-12);
  EXPECT_DOUBLE_EQ(st.capture_rate, 1.0);
  b.match.identity_matched = false;  // one run fell back to time overlap
  EXPECT_FALSE(SummarizeStep(0, {a, b}).identity_matched);
  EXPECT_FALSE(SummarizeStep(0, {MakeRun(Arm::kBaseline, 1, 900, 150)}).identity_matched);
}

}  // namespace hugin::harness

namespace hugin::harness {
namespace {

// A request the client abandoned is out of the ground truth, but the server answered it: Hugin
// counting it is no error; counting more than those, or fewer than the truth, is.
TEST(PrometheusErrors, AbortedRequestsMayBeCounted) {
  RunResult r;
  r.ok = true;
  r.arm = Arm::kHugin;
  r.requests_served = 900;
  r.warmup_requests = 100;
  r.client_aborted = 2;
  for (double count : {1000.0, 1001.0, 1002.0}) {
    r.prometheus_count = count;
    EXPECT_DOUBLE_EQ(*PrometheusErrorsOf({&r}).count_error, 0.0) << count;
  }
  r.prometheus_count = 1004;  // two past truth + aborted
  EXPECT_DOUBLE_EQ(*PrometheusErrorsOf({&r}).count_error, 2.0 / 1000);
  r.prometheus_count = 997;
  EXPECT_DOUBLE_EQ(*PrometheusErrorsOf({&r}).count_error, 3.0 / 1000);
  r.client_aborted = 0;
  r.prometheus_count = 1001;
  EXPECT_DOUBLE_EQ(*PrometheusErrorsOf({&r}).count_error, 1.0 / 1000);
}

}  // namespace
}  // namespace hugin::harness
