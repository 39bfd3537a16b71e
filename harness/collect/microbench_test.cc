#include "harness/collect/microbench.h"

#include <gtest/gtest.h>

#include "harness/testdata.h"

namespace hugin::harness {
namespace {

TEST(Microbench, ParsesCapturedHttp1BenchmarkOutput) {
  const std::string text = Testdata("benchmark_http1.json");
  std::vector<std::string> errors;
  const auto rows = ParseBenchmarkJson("http1_benchmark", text, errors);
  EXPECT_TRUE(errors.empty()) << errors.front();
  ASSERT_EQ(rows.size(), 4u);
  const auto raw = nlohmann::json::parse(text)["benchmarks"];
  const char* names[] = {"BM_GetSmallResponse", "BM_Post4KiB", "BM_ChunkedResponse",
                         "BM_GetSplitHeads"};
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].binary, "http1_benchmark");
    EXPECT_EQ(rows[i].name, names[i]);
    EXPECT_DOUBLE_EQ(rows[i].ns_per_op, raw[i]["real_time"].get<double>());  // unit is ns
    EXPECT_EQ(rows[i].iterations, raw[i]["iterations"].get<int64_t>());
    ASSERT_TRUE(rows[i].items_per_second);
    EXPECT_DOUBLE_EQ(*rows[i].items_per_second, raw[i]["items_per_second"].get<double>());
    ASSERT_TRUE(rows[i].bytes_per_second);
    // The user counter is kept; the standard keys are not repeated as counters.
    EXPECT_EQ(rows[i].counters.count("captured_bytes_per_second"), 1u);
    EXPECT_EQ(rows[i].counters.count("iterations"), 0u);
    EXPECT_EQ(rows[i].counters.size(), 1u);
  }
}

TEST(Microbench, ConvertsUnitsSkipsAggregatesAndReportsErrors) {
  const std::string text = R"({"benchmarks": [
    {"name": "BM_A", "run_type": "iteration", "iterations": 10, "real_time": 1.5,
     "cpu_time": 1.25, "time_unit": "us"},
    {"name": "BM_A_mean", "run_type": "aggregate", "aggregate_name": "mean", "iterations": 2,
     "real_time": 1.5, "cpu_time": 1.25, "time_unit": "us"},
    {"name": "BM_B", "run_type": "iteration", "error_occurred": true,
     "error_message": "records did not come out one per exchange", "iterations": 0,
     "real_time": 0, "cpu_time": 0, "time_unit": "ns"},
    {"name": "BM_C", "run_type": "iteration", "iterations": 3, "real_time": 2,
     "time_unit": "fortnights"}
  ]})";
  std::vector<std::string> errors;
  const auto rows = ParseBenchmarkJson("x_benchmark", text, errors);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].name, "BM_A");
  EXPECT_DOUBLE_EQ(rows[0].ns_per_op, 1500);
  EXPECT_DOUBLE_EQ(rows[0].cpu_ns_per_op, 1250);
  EXPECT_FALSE(rows[0].items_per_second);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0], "x_benchmark BM_B: records did not come out one per exchange");
  EXPECT_NE(errors[1].find("BM_C"), std::string::npos);
}

TEST(Microbench, MalformedOutputIsOneErrorAndNoRows) {
  for (const std::string text : {"", "Segmentation fault", "{\"context\": {}}", "[1, 2]",
                                 "{\"benchmarks\": [{\"real_time\": 3}]}"}) {
    std::vector<std::string> errors;
    EXPECT_TRUE(ParseBenchmarkJson("b", text, errors).empty()) << text;
    EXPECT_EQ(errors.size(), 1u) << text;
  }
}

TEST(Microbench, ReportSectionAndJsonCarryEveryRowAndError) {
  MicrobenchRun run;
  std::vector<std::string> errors;
  run.results = ParseBenchmarkJson("http1_benchmark", Testdata("benchmark_http1.json"), errors);
  run.errors = {"decode_benchmark: binary not found"};
  const std::string md = MicrobenchMarkdown(run);
  EXPECT_NE(md.find("## Microbenchmarks"), std::string::npos);
  EXPECT_NE(md.find("| http1_benchmark | BM_Post4KiB | "), std::string::npos);
  EXPECT_NE(md.find("- microbenchmark error: decode_benchmark: binary not found"),
            std::string::npos);
  const auto j = MicrobenchJson(run);
  ASSERT_EQ(j.size(), 4u);
  EXPECT_EQ(j[1]["name"], "BM_Post4KiB");
  EXPECT_DOUBLE_EQ(j[1]["ns_per_op"].get<double>(), run.results[1].ns_per_op);
  EXPECT_TRUE(j[1]["items_per_second"].is_number());
  EXPECT_TRUE(j[1]["counters"].contains("captured_bytes_per_second"));

  MicrobenchRun empty;
  EXPECT_NE(MicrobenchMarkdown(empty).find("no microbenchmark ran"), std::string::npos);
}

}  // namespace
}  // namespace hugin::harness
