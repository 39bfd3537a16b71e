#include "harness/model/loss_reports.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace hugin::harness {

TEST(LossReports, LossAndGapLinesNextToSpans) {
  const std::string path = testing::TempDir() + "/agent_out.jsonl";
  std::ofstream(path)
      << R"({"kind":"server","start_ns":1,"end_ns":2,"local":{"port":80},"peer":{"port":5}})" "\n"
      << R"({"type":"loss","pid":7,"fd":4,"generation":9,"local_port":8080,"peer_port":41000,)"
         R"("ingress_records":2,"egress_records":1,"control_records":0,"bytes":300,)"
         R"("first_ns":100,"last_ns":200})" "\n"
      << R"({"type":"gap","pid":7,"fd":4,"generation":9,"local_port":8080,"peer_port":41000,)"
         R"("direction":"egress","bytes":64,"after_ns":150,"before_ns":250})" "\n"
      << R"({"type":"unpaired","pid":7,"fd":4,"generation":9,"local_port":8080,)"
         R"("peer_port":41000,"request_ns":170})" "\n"
      << R"({"type":"loss","pid":7})" "\n";
  const AgentReports r = ReadAgentReports(path);
  ASSERT_EQ(r.losses.size(), 1u);
  EXPECT_EQ(r.losses[0].records(), 3u);
  EXPECT_EQ(r.losses[0].peer_port, 41000);
  EXPECT_EQ(r.losses[0].first_ns, 100);
  ASSERT_EQ(r.gaps.size(), 1u);
  EXPECT_FALSE(r.gaps[0].ingress);
  EXPECT_EQ(r.gaps[0].before_ns, 250);
  ASSERT_EQ(r.unpaired.size(), 1u);
  EXPECT_EQ(r.unpaired[0].request_ns, 170);
  EXPECT_EQ(r.unpaired[0].peer_port, 41000);
  EXPECT_EQ(r.bad_lines, 1u);  // the truncated loss line is counted, not dropped silently
  EXPECT_NE(r.first_error.find(":5:"), std::string::npos) << r.first_error;
}

}  // namespace hugin::harness
