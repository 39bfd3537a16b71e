#include "harness/analyze/timing.h"

#include <gtest/gtest.h>

#include "harness/analyze/summary.h"

namespace hugin::harness {
namespace {

constexpr int kServer = 8080;
// REALTIME - MONOTONIC during the fake capture (constant: no drift unless a test sets it).
constexpr int64_t kOffset = 1'700'000'000'000'000'000;

CaptureStats Capture(int64_t drift_ns = 0) {
  CaptureStats c;
  c.ran = true;
  c.packets = 100;
  c.received = 100;
  c.clock_start = {kOffset + 0, 0, 40};
  c.clock_end = {kOffset + 10'000'000'000 + drift_ns, 10'000'000'000, 60};
  return c;
}

// An exchange on the wire whose request starts at monotonic `start` and response ends at `end`.
WireExchange Wire(int port, const std::string& path, int64_t start, int64_t end) {
  WireExchange x;
  x.client_port = port;
  x.method = "GET";
  x.path = path;
  x.status = 200;
  x.request_start_ns = start + kOffset;
  x.response_end_ns = end + kOffset;
  x.complete = true;
  return x;
}

SpanRecord Span(int port, const std::string& path, int64_t start, int64_t end,
                std::optional<int64_t> processing = std::nullopt) {
  SpanRecord s;
  s.kind = "server";
  s.method = "GET";
  s.path = path;
  s.status = 200;
  s.start_ns = start;
  s.end_ns = end;
  s.duration_ns = end - start;
  s.processing_ns = processing;
  s.local_port = kServer;
  s.peer_port = port;
  return s;
}

GroundTruthRecord Handler(int port, const std::string& path, int64_t start, int64_t end) {
  GroundTruthRecord g;
  g.method = "GET";
  g.path = path;
  g.status = 200;
  g.start_ns = start;
  g.end_ns = end;
  g.peer_port = port;
  return g;
}

}  // namespace

TEST(Timing, ShiftedSpansHaveTheirSignedErrors) {
  const std::vector<WireExchange> wire{Wire(5000, "/a", 1'000'000, 1'500'000),
                                       Wire(5001, "/b", 2'000'000, 6'000'000)};
  // /a: 250 µs late at both ends; /b: starts on time, ends 2 ms early (outside max(1 ms, 5%)).
  const std::vector<SpanRecord> spans{Span(5000, "/a", 1'250'000, 1'750'000),
                                      Span(5001, "/b", 2'000'000, 4'000'000)};
  const WireTiming t = AnalyzeWireTiming(Capture(), wire, spans, {}, kServer);
  ASSERT_EQ(t.joined, 2u);
  EXPECT_EQ(t.unmatched_spans, 0u);
  EXPECT_EQ(t.unmatched_exchanges, 0u);
  EXPECT_DOUBLE_EQ(t.start_error_us[0], 250);
  EXPECT_DOUBLE_EQ(t.end_error_us[0], 250);
  EXPECT_DOUBLE_EQ(t.duration_error_us[0], 0);
  EXPECT_DOUBLE_EQ(t.start_error_us[1], 0);
  EXPECT_DOUBLE_EQ(t.end_error_us[1], -2000);
  EXPECT_DOUBLE_EQ(t.duration_error_us[1], -2000);
  EXPECT_EQ(t.within_tolerance, 1u);
  EXPECT_EQ(t.outside_first_on_connection, 1u);  // /b is the only span of port 5001
  EXPECT_TRUE(t.valid());
}

TEST(Timing, ToleranceIsOneMillisecondOrFivePercent) {
  EXPECT_TRUE(DurationWithinTolerance(1'000'000 + 1'000'000, 1'000'000));   // +1 ms on 1 ms
  EXPECT_FALSE(DurationWithinTolerance(1'000'000 + 1'000'001, 1'000'000));
  EXPECT_TRUE(DurationWithinTolerance(100'000'000 - 5'000'000, 100'000'000));  // -5% on 100 ms
  EXPECT_FALSE(DurationWithinTolerance(100'000'000 - 5'000'001, 100'000'000));
}

TEST(Timing, UnmatchedSpansAndExchangesAreCounted) {
  const std::vector<WireExchange> wire{Wire(5000, "/a", 1'000'000, 1'500'000),
                                       Wire(5002, "/c", 3'000'000, 3'100'000)};
  // /zzz is nowhere on the wire (a phantom); /c has no span (a lost one).
  const std::vector<SpanRecord> spans{Span(5000, "/a", 1'000'000, 1'500'000),
                                      Span(5000, "/zzz", 2'000'000, 2'100'000)};
  const WireTiming t = AnalyzeWireTiming(Capture(), wire, spans, {}, kServer);
  EXPECT_EQ(t.spans, 2u);
  EXPECT_EQ(t.joined, 1u);
  EXPECT_EQ(t.unmatched_spans, 1u);
  EXPECT_EQ(t.unmatched_exchanges, 1u);
  EXPECT_EQ(t.duration_error_us.size(), 1u);
}

TEST(Timing, OnePathPerRunJoinsByOccurrenceOnEachConnection) {
  // Before unique paths: every request has the same path; three keep-alive requests on each of
  // two connections, spans listed out of order.
  std::vector<WireExchange> wire;
  std::vector<SpanRecord> spans;
  for (int port : {5000, 5001})
    for (int k = 0; k < 3; ++k) {
      const int64_t start = (k + 1) * 1'000'000 + port;
      wire.push_back(Wire(port, "/api/items", start, start + 300'000));
      spans.insert(spans.begin(), Span(port, "/api/items", start + k * 1000, start + 300'000 + k * 1000));
    }
  const WireTiming t = AnalyzeWireTiming(Capture(), wire, spans, {}, kServer);
  ASSERT_EQ(t.joined, 6u);
  EXPECT_EQ(t.realigned_groups, 0u);
  for (double e : t.start_error_us) EXPECT_TRUE(e == 0 || e == 1 || e == 2) << e;
  for (double e : t.duration_error_us) EXPECT_DOUBLE_EQ(e, 0);
}

TEST(Timing, UniquePathsJoinAtOccurrenceZero) {
  std::vector<WireExchange> wire;
  std::vector<SpanRecord> spans;
  for (int k = 0; k < 4; ++k) {
    const std::string path = "/api/items/" + std::to_string(k);
    wire.push_back(Wire(5000, path, k * 1'000'000, k * 1'000'000 + 200'000));
    spans.push_back(Span(5000, path, k * 1'000'000 + 10'000, k * 1'000'000 + 200'000));
  }
  const WireTiming t = AnalyzeWireTiming(Capture(), wire, spans, {}, kServer);
  ASSERT_EQ(t.joined, 4u);
  for (double e : t.start_error_us) EXPECT_DOUBLE_EQ(e, 10);
  for (double e : t.duration_error_us) EXPECT_DOUBLE_EQ(e, -10);
}

TEST(Timing, ALostSpanDoesNotShiftTheRestOfItsConnection) {
  std::vector<WireExchange> wire;
  std::vector<SpanRecord> spans;
  // Requests 500 µs apart, 100 µs each: the lost span's exchange lies within the 1 ms slack of
  // the next span too, and must not take it.
  for (int k = 0; k < 5; ++k) {
    const int64_t start = (k + 1) * 500'000;
    wire.push_back(Wire(5000, "/p", start, start + 100'000));
    if (k != 1) spans.push_back(Span(5000, "/p", start + 3'000, start + 100'000));  // 2nd lost
  }
  const WireTiming t = AnalyzeWireTiming(Capture(), wire, spans, {}, kServer);
  EXPECT_EQ(t.realigned_groups, 1u);
  EXPECT_EQ(t.joined, 4u);
  EXPECT_EQ(t.unmatched_exchanges, 1u);
  EXPECT_EQ(t.unmatched_spans, 0u);
  for (double e : t.start_error_us) EXPECT_DOUBLE_EQ(e, 3);
}

TEST(Timing, IncompleteExchangesAreCountedNotJoined) {
  std::vector<WireExchange> wire{Wire(5000, "/a", 1'000'000, 1'500'000),
                                 Wire(5001, "/slow", 2'000'000, 0)};
  wire[1].complete = false;
  const WireTiming t =
      AnalyzeWireTiming(Capture(), wire, {Span(5000, "/a", 1'000'000, 1'500'000)}, {}, kServer);
  EXPECT_EQ(t.wire_exchanges, 1u);
  EXPECT_EQ(t.wire_incomplete, 1u);
  EXPECT_EQ(t.joined, 1u);
}

TEST(Timing, ClockDriftIsInterpolatedOverTheCapture) {
  // The offset grows by 1 ms over the 10 s capture: half of it at the middle.
  const CaptureStats c = Capture(1'000'000);
  EXPECT_EQ(c.clock_drift_ns(), 1'000'000);
  EXPECT_EQ(RealtimeToMonotonic(kOffset + 0, c.clock_start, c.clock_end), 0);
  EXPECT_EQ(RealtimeToMonotonic(kOffset + 5'000'500'000, c.clock_start, c.clock_end),
            5'000'000'000);
  EXPECT_EQ(RealtimeToMonotonic(kOffset + 10'001'000'000, c.clock_start, c.clock_end),
            10'000'000'000);
}

TEST(Timing, ProcessingAgainstTheHandler) {
  const std::vector<WireExchange> wire{Wire(5000, "/a", 1'000'000, 1'500'000),
                                       Wire(5001, "/b", 1'000'000, 1'500'000)};
  // /a: processing 400 µs covers a 300 µs handler; /b: 200 µs of processing for a 500 µs handler.
  const std::vector<SpanRecord> spans{Span(5000, "/a", 1'000'000, 1'500'000, 400'000),
                                      Span(5001, "/b", 1'000'000, 1'500'000, 200'000),
                                      Span(5002, "/c", 1'000'000, 1'500'000)};  // no log line
  const std::vector<GroundTruthRecord> truth{Handler(5000, "/a", 1'100'000, 1'400'000),
                                             Handler(5001, "/b", 1'000'000, 1'500'000)};
  const WireTiming t = AnalyzeWireTiming(Capture(), wire, spans, truth, kServer);
  ASSERT_EQ(t.processing_minus_handler_us.size(), 2u);
  EXPECT_DOUBLE_EQ(t.processing_minus_handler_us[0], 100);
  EXPECT_DOUBLE_EQ(t.processing_minus_handler_us[1], -300);
  EXPECT_EQ(t.processing_unjoined, 1u);

  RunResult r;
  r.ok = true;
  r.arm = Arm::kHugin;
  r.rate = 100;
  r.wire = t;
  const auto w = SummarizeWireTiming(100, {r});
  ASSERT_TRUE(w);
  EXPECT_EQ(w->processing_negative_over_100us, 1u);
  EXPECT_DOUBLE_EQ(w->processing_minus_handler_us.max_abs, 300);
}

namespace {

RunResult HuginRun(const WireTiming& t, int pair = 1) {
  RunResult r;
  r.ok = true;
  r.arm = Arm::kHugin;
  r.pair = pair;
  r.rate = 1000;
  r.wire = t;
  return r;
}

// `within` of 100 spans joined within tolerance.
WireTiming Figures(size_t within) {
  std::vector<WireExchange> wire;
  std::vector<SpanRecord> spans;
  for (size_t k = 0; k < 100; ++k) {
    const int64_t start = int64_t(k + 1) * 10'000'000;
    wire.push_back(Wire(5000, "/" + std::to_string(k), start, start + 1'000'000));
    spans.push_back(Span(5000, "/" + std::to_string(k), start,
                         start + 1'000'000 + (k < within ? 0 : 3'000'000)));
  }
  return AnalyzeWireTiming(Capture(), wire, spans, {}, kServer);
}

const Verdict* FindVerdict(const ScenarioSummary& s, const std::string& name) {
  for (const auto& v : s.verdicts)
    if (v.name == name) return &v;
  return nullptr;
}

Scenario WireScenario() {
  Scenario s;
  s.name = "w";
  s.load.tool = "h2load";
  s.load.rates = {1000};
  s.thresholds.wire_duration_within_1ms_or_5pct_min = 0.99;
  return s;
}

}  // namespace

TEST(Timing, ThresholdVerdict) {
  const char* name = "wire_duration_within_1ms_or_5pct_min";
  {
    const ScenarioSummary s = Summarize(WireScenario(), {HuginRun(Figures(99))}, {}, 1);
    ASSERT_TRUE(s.steps[0].wire);
    EXPECT_DOUBLE_EQ(s.steps[0].wire->within_tolerance_fraction, 0.99);
    EXPECT_DOUBLE_EQ(s.steps[0].wire->duration_error_us.max_abs, 3000);
    const Verdict* v = FindVerdict(s, name);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->status, VerdictStatus::kPass) << v->detail;
  }
  {
    const ScenarioSummary s = Summarize(WireScenario(), {HuginRun(Figures(98))}, {}, 1);
    const Verdict* v = FindVerdict(s, name);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->status, VerdictStatus::kFail) << v->detail;
    EXPECT_NE(v->detail.find("0.9800 at 1000 req/s >= 0.9900"), std::string::npos) << v->detail;
    EXPECT_EQ(s.steps[0].wire->outside_first_on_connection, 0u);  // the 99th and 100th on 5000
  }
  {
    // Perfect figures from a capture that dropped packets vouch for nothing.
    WireTiming t = Figures(100);
    t.capture.dropped = 7;
    const ScenarioSummary s = Summarize(WireScenario(), {HuginRun(t)}, {}, 1);
    EXPECT_FALSE(s.steps[0].wire->valid());
    const Verdict* v = FindVerdict(s, name);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->status, VerdictStatus::kFail);
    EXPECT_NE(v->detail.find("dropped 7 packets"), std::string::npos) << v->detail;
  }
  {
    // No capture at all (e.g. --no-wire-capture) cannot pass the threshold either.
    const ScenarioSummary s = Summarize(WireScenario(), {HuginRun(WireTiming{})}, {}, 1);
    const Verdict* v = FindVerdict(s, name);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->status, VerdictStatus::kFail);
    EXPECT_NE(v->detail.find("no wire capture"), std::string::npos) << v->detail;
  }
}

}  // namespace hugin::harness
