#include "harness/report/cost_plot.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

namespace hugin::harness {

TEST(CostPlot, OneRowPerStepAndAgentArmWithQuotedHeaders) {
  ScenarioSummary s;
  s.scenario.name = "x";
  StepSummary st;
  st.rate = 6000;
  AgentArmCost a;
  a.arm = Arm::kHugin;
  a.agent.groups = {{"ring buffer read", 1, 0.25, 0.5, {}}, {"parser", 3, 0.75, 1.5, {}}};
  a.service_added = {{"tracing", 0, 2.5, 2.5}, {"user", 10, 9, -1}};
  st.cost.arms.push_back(a);
  s.steps.push_back(st);
  EXPECT_EQ(CostPlotAgentData(s), "label \"ring buffer read\" \"parser\"\n\"6000 req/s hugin\" 0.5 1.5\n");
  EXPECT_EQ(CostPlotServiceData(s), "label \"tracing\" \"user\"\n\"6000 req/s hugin\" 2.5 -1\n");
  // The picture itself (gnuplot is what every harness plot needs).
  const std::string dir = std::string(std::getenv("TEST_TMPDIR"));
  std::vector<std::string> draw_errors;
  const auto png = DrawCostPlot(s, dir, draw_errors);
  ASSERT_TRUE(png) << (draw_errors.empty() ? "" : draw_errors.front());
  EXPECT_EQ(*png, "plots/x_cost_breakdown.png");
  EXPECT_GT(std::filesystem::file_size(dir + "/" + *png), 1000u);
  ScenarioSummary empty;
  EXPECT_EQ(CostPlotAgentData(empty), "");
  std::vector<std::string> errors;
  EXPECT_FALSE(DrawCostPlot(empty, "/tmp", errors));
  EXPECT_TRUE(errors.empty());
}

}  // namespace hugin::harness
