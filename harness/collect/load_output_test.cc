#include "harness/collect/load_output.h"

#include <gtest/gtest.h>

#include "harness/testdata.h"

namespace hugin::harness {
namespace {

}  // namespace

TEST(WrkDuration, Units) {
  EXPECT_DOUBLE_EQ(*ParseWrkDurationUs("229.00us"), 229);
  EXPECT_DOUBLE_EQ(*ParseWrkDurationUs("2.15ms"), 2150);
  EXPECT_DOUBLE_EQ(*ParseWrkDurationUs("2.10s"), 2.1e6);
  EXPECT_DOUBLE_EQ(*ParseWrkDurationUs("1m"), 60e6);
  EXPECT_FALSE(ParseWrkDurationUs("fast"));
  EXPECT_FALSE(ParseWrkDurationUs("12"));
}

TEST(WrkOutput, TextReportWithLatencyDistribution) {
  std::string error;
  const auto r = ParseWrkText(Testdata("wrk_latency.txt"), error);
  ASSERT_TRUE(r) << error;
  EXPECT_EQ(r->requests, 52752);
  EXPECT_DOUBLE_EQ(r->duration_s, 2.1);
  EXPECT_NEAR(r->throughput_rps, 52752 / 2.1, 1e-6);
  EXPECT_DOUBLE_EQ(r->p50_us, 229);
  EXPECT_DOUBLE_EQ(r->p90_us, 2150);
  EXPECT_DOUBLE_EQ(r->p99_us, 6020);
  EXPECT_EQ(r->non_2xx, 0);
}

TEST(WrkOutput, JsonLineFromTheDoneHookIsPreferred) {
  std::string error;
  const auto r = ParseWrkOutput(Testdata("wrk_json_non2xx.txt"), error);
  ASSERT_TRUE(r) << error;
  EXPECT_EQ(r->requests, 17658);
  EXPECT_NEAR(r->duration_s, 1.000386, 1e-9);
  EXPECT_DOUBLE_EQ(r->p50_us, 170);
  EXPECT_DOUBLE_EQ(r->p90_us, 646);
  EXPECT_DOUBLE_EQ(r->p99_us, 3427);  // exact, not the rounded "3.43ms" of the text report
  EXPECT_EQ(r->non_2xx, 17658);
  EXPECT_EQ(r->errors, 0);
}

TEST(WrkOutput, FallsBackToTextWithoutJson) {
  std::string error;
  const auto r = ParseWrkOutput(Testdata("wrk_latency.txt"), error);
  ASSERT_TRUE(r) << error;
  EXPECT_EQ(r->requests, 52752);
}

TEST(WrkOutput, GarbageIsAnErrorNotACrash) {
  std::string error;
  EXPECT_FALSE(ParseWrkOutput("unable to connect to 127.0.0.1:1 Connection refused\n", error));
  EXPECT_FALSE(error.empty());
  EXPECT_FALSE(ParseWrkJson("HARNESS_JSON {\"requests\": 1", error));
}

TEST(WrkOutput, SocketErrorsAreCounted) {
  std::string error;
  const std::string text =
      "  Latency Distribution\n     50%  1.00ms\n     90%  2.00ms\n     99%  3.00ms\n"
      "  100 requests in 1.00s, 1KB read\n"
      "  Socket errors: connect 1, read 2, write 3, timeout 4\n";
  const auto r = ParseWrkText(text, error);
  ASSERT_TRUE(r) << error;
  EXPECT_EQ(r->errors, 10);
}

TEST(H2loadOutput, SummaryAndLogPercentiles) {
  std::string error;
  const auto r = ParseH2load(Testdata("h2load_h1.txt"), Testdata("h2load_log.tsv"), error);
  ASSERT_TRUE(r) << error;
  EXPECT_EQ(r->requests, 400);
  EXPECT_DOUBLE_EQ(r->duration_s, 2.0);
  EXPECT_DOUBLE_EQ(r->throughput_rps, 200);
  EXPECT_EQ(r->errors, 0);
  EXPECT_EQ(r->non_2xx, 0);
  EXPECT_GT(r->p50_us, 0);
  EXPECT_LE(r->p50_us, r->p90_us);
  EXPECT_LE(r->p90_us, r->p99_us);
}

TEST(H2loadOutput, PercentilesComeFromTheLogFile) {
  std::string error;
  const std::string summary =
      "finished in 500.00ms, 8.00 req/s, 1KB/s\n"
      "requests: 4 total, 4 started, 4 done, 3 succeeded, 1 failed, 0 errored, 0 timeout\n"
      "status codes: 3 2xx, 0 3xx, 0 4xx, 1 5xx\n";
  const std::string log = "1\t200\t100\n2\t200\t200\n3\t200\t300\n4\t500\t400\n";
  const auto r = ParseH2load(summary, log, error);
  ASSERT_TRUE(r) << error;
  EXPECT_DOUBLE_EQ(r->duration_s, 0.5);
  EXPECT_EQ(r->errors, 0);  // h2load counts the 500 as failed: an answer, not an error
  EXPECT_EQ(r->non_2xx, 1);
  EXPECT_DOUBLE_EQ(r->p50_us, 250);
  EXPECT_DOUBLE_EQ(r->p99_us, 397);
}

TEST(H2loadOutput, ErrorsAreFailedRequestsWithoutAnAnswer) {
  std::string error;
  const std::string summary =
      "finished in 1.00s, 10.00 req/s, 1KB/s\n"
      "requests: 10 total, 10 started, 10 done, 6 succeeded, 4 failed, 2 errored, 1 timeout\n"
      "status codes: 6 2xx, 0 3xx, 1 4xx, 1 5xx\n";
  const auto r = ParseH2load(summary, "1\t200\t100\n", error);
  ASSERT_TRUE(r) << error;
  EXPECT_EQ(r->non_2xx, 2);
  EXPECT_EQ(r->errors, 2);  // the 2 errored (the timeout among them)
}

TEST(H2loadOutput, MissingSummaryOrLogIsAnError) {
  std::string error;
  EXPECT_FALSE(ParseH2load("connect failed\n", "", error));
  const std::string summary =
      "finished in 1.00s, 1.00 req/s, 1KB/s\n"
      "requests: 1 total, 1 started, 1 done, 1 succeeded, 0 failed, 0 errored, 0 timeout\n";
  EXPECT_FALSE(ParseH2load(summary, "", error));
  EXPECT_NE(error.find("log"), std::string::npos);
}

}  // namespace hugin::harness
