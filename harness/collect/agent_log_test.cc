#include "harness/collect/agent_log.h"

#include <gtest/gtest.h>

namespace hugin::harness {

TEST(AgentLog, PlantedFaultsLine) {
  const auto f = ParsePlantedFaults(
      "hugin: ready: 23 BPF programs attached\n"
      "hugin: fault injection planted drop_span=17 swap_status=3\nhugin: detached\n");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->dropped_spans, 17u);
  EXPECT_EQ(f->swapped_statuses, 3u);
}

TEST(AgentLog, NoLineNoCounts) {
  EXPECT_FALSE(ParsePlantedFaults("hugin: ready\nhugin: detached\n"));
  EXPECT_FALSE(ParsePlantedFaults("hugin: fault injection planted drop_span=x swap_status=1\n"));
}

}  // namespace hugin::harness
