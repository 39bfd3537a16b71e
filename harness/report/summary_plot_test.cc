#include "harness/report/summary_plot.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace hugin::harness {
namespace {

ScenarioSummary WithRatios(const std::string& name, std::optional<double> tput,
                           std::optional<double> p99, std::optional<double> otel_tput = {},
                           std::optional<double> otel_p99 = {}) {
  ScenarioSummary s;
  s.scenario.name = name;
  auto est = [](std::optional<double> v) {
    return v ? std::optional<Estimate>(Estimate{*v, std::nullopt}) : std::nullopt;
  };
  StepSummary st;
  st.throughput_ratio = est(tput);
  st.p99_latency_ratio = est(p99);
  st.otel_throughput_ratio = est(otel_tput);
  st.otel_p99_latency_ratio = est(otel_p99);
  // A milder step of a sweep comes first: the summary shows the worst step, not the first.
  StepSummary milder;
  if (tput) milder.throughput_ratio = est(*tput + 0.01);
  if (p99) milder.p99_latency_ratio = est(*p99 - 0.01);
  s.steps.push_back(milder);
  s.steps.push_back(st);
  return s;
}

TEST(SummaryPlot, DataHasOneLinePerScenarioWithBothArmsAndNaNForAbsentRatios) {
  ScenarioSummary no_steps;
  no_steps.scenario.name = "broken";
  const std::string data = SummaryPlotData({
      WithRatios("quickstart", 0.95, 1.25),
      WithRatios("baseline_only", std::nullopt, std::nullopt),
      no_steps,
      WithRatios("node_otel", 0.8, 1.5, 0.5, 3),
  });
  EXPECT_EQ(data, "quickstart 0.95 1.25 NaN NaN\nnode_otel 0.8 1.5 0.5 3\n");
}

TEST(SummaryPlot, NothingToDrawWithoutRatios) {
  EXPECT_EQ(SummaryPlotData({WithRatios("a", std::nullopt, std::nullopt)}), "");
  std::vector<std::string> errors;
  const std::string dir = ::testing::TempDir() + "/summary_plot_empty";
  EXPECT_FALSE(DrawSummaryPlot({WithRatios("a", std::nullopt, std::nullopt)}, dir, errors));
  EXPECT_TRUE(errors.empty());
  EXPECT_FALSE(std::filesystem::exists(dir + "/plots/summary.dat"));
}

TEST(SummaryPlot, WritesDataAndScriptWithReferenceLineAndOtelBarsOnlyWhenPresent) {
  for (bool otel : {false, true}) {
    const std::string dir = ::testing::TempDir() + "/summary_plot_" + std::to_string(otel);
    std::filesystem::remove_all(dir);
    std::vector<std::string> errors;
    auto s = otel ? WithRatios("n", 0.8, 1.5, 0.5, 3) : WithRatios("q", 0.9, 1.1);
    DrawSummaryPlot({s}, dir, errors);  // gnuplot may be absent in the test sandbox
    ASSERT_TRUE(std::filesystem::exists(dir + "/plots/summary.dat"));
    std::ifstream in(dir + "/plots/summary.gp");
    std::stringstream gp;
    gp << in.rdbuf();
    EXPECT_NE(gp.str().find("1 with lines"), std::string::npos);
    EXPECT_NE(gp.str().find(dir + "/plots/summary.png"), std::string::npos);
    EXPECT_EQ(gp.str().find("OpenTelemetry throughput") != std::string::npos, otel);
  }
}

}  // namespace
}  // namespace hugin::harness
