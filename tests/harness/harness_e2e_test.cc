// Runs the real harness (real agent, real Go fixture, real Prometheus, h2load) on a short
// scenario and checks what it wrote. Needs root and BPF: tagged "local" (no sandbox).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "harness/util/process.h"

namespace {

std::string Runfile(const std::string& path) {
  return std::string(std::getenv("TEST_SRCDIR")) + "/hugin/" + path;
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
