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

TEST(AgentLog, DataPathLine) {
  EXPECT_EQ(ParseDataPath("hugin: watching pid 7\nhugin: ready: 16 BPF programs loaded (5 "
                          "attached on tracepoints, 11 for TLS library uprobes; data path: "
                          "sockets), metrics on :9400/metrics\n"),
            "sockets");
  EXPECT_EQ(ParseDataPath("hugin: ready: 15 BPF programs loaded (4 attached on tracepoints, 11 "
                          "for TLS library uprobes; data path: syscalls)\n"),
            "syscalls");
  EXPECT_EQ(ParseDataPath("hugin: ready\n"), "");
  EXPECT_EQ(ParseDataPath("not hugin: ready: (x; data path: sockets)\n"), "");
}

}  // namespace hugin::harness
