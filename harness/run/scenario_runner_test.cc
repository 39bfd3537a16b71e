#include "harness/run/scenario_runner.h"

#include <gtest/gtest.h>

namespace hugin::harness {

TEST(ScenarioRunner, PairsAlternateArmOrder) {
  const std::vector<Arm> arms{Arm::kBaseline, Arm::kHugin};
  EXPECT_EQ(ArmOrder(arms, 1), arms);
  EXPECT_EQ(ArmOrder(arms, 2), (std::vector<Arm>{Arm::kHugin, Arm::kBaseline}));
  EXPECT_EQ(ArmOrder(arms, 3), arms);
  const std::vector<Arm> three{Arm::kBaseline, Arm::kHugin, Arm::kOtel};
  EXPECT_EQ(ArmOrder(three, 2), (std::vector<Arm>{Arm::kOtel, Arm::kHugin, Arm::kBaseline}));
}

TEST(ScenarioRunner, EachAgentArmHasItsOwnProbeTimeRun) {
  using A = std::vector<Arm>;
  // Both agent arms: one each (the metrics-only agent's BPF work is not Hugin's), then the floor.
  EXPECT_EQ(ProbeTimeArms({Arm::kBaseline, Arm::kHuginMetrics, Arm::kHookFloor, Arm::kHugin}),
            (A{Arm::kHugin, Arm::kHuginMetrics, Arm::kHookFloor}));
  // One agent arm: its probe-time run, as before.
  EXPECT_EQ(ProbeTimeArms({Arm::kBaseline, Arm::kHugin}), A{Arm::kHugin});
  EXPECT_EQ(ProbeTimeArms({Arm::kBaseline, Arm::kHuginMetrics, Arm::kHookFloor}),
            (A{Arm::kHuginMetrics, Arm::kHookFloor}));
  // No agent arm: no probe time to measure, not even the floor's.
  EXPECT_TRUE(ProbeTimeArms({Arm::kBaseline, Arm::kHookFloor, Arm::kOtel}).empty());
}

TEST(ScenarioRunner, EachCostLadderArmHasItsOwnProbeTimeRun) {
  using A = std::vector<Arm>;
  // The whole ladder, listed in any order: the agent arms, the ladder in its order, the floor.
  EXPECT_EQ(ProbeTimeArms({Arm::kBaseline, Arm::kSyscallPath, Arm::kHookFloor, Arm::kStageHeads,
                           Arm::kHuginMetrics, Arm::kStageLookup, Arm::kHugin}),
            (A{Arm::kHugin, Arm::kHuginMetrics, Arm::kStageLookup, Arm::kStageHeads,
               Arm::kSyscallPath, Arm::kHookFloor}));
  // Only the ladder arms the scenario has.
  EXPECT_EQ(ProbeTimeArms({Arm::kBaseline, Arm::kStageHeads, Arm::kHuginMetrics}),
            (A{Arm::kHuginMetrics, Arm::kStageHeads}));
  // A ladder arm runs the agent: without an agent arm it still has its run, and the floor too.
  EXPECT_EQ(ProbeTimeArms({Arm::kBaseline, Arm::kHookFloor, Arm::kSyscallPath}),
            (A{Arm::kSyscallPath, Arm::kHookFloor}));
  EXPECT_EQ(ProbeTimeArms({Arm::kBaseline, Arm::kStageLookup}), A{Arm::kStageLookup});
}

TEST(ScenarioRunner, DefaultPlacementSeparatesLoadFromService) {
  const Placement two = ResolvePlacement({}, 2);
  EXPECT_EQ(two.load_cpus, std::vector<int>{1});
  EXPECT_EQ(two.service_cpus, std::vector<int>{0});
  const Placement four = ResolvePlacement({}, 4);
  EXPECT_EQ(four.load_cpus, std::vector<int>{3});
  EXPECT_EQ(four.service_cpus, (std::vector<int>{0, 1, 2}));
  EXPECT_TRUE(ResolvePlacement({}, 1).load_cpus.empty());
  Placement asked;
  asked.load_cpus = {0};
  asked.service_cpus = {1};
  EXPECT_EQ(ResolvePlacement(asked, 2).load_cpus, std::vector<int>{0});
}

}  // namespace hugin::harness
