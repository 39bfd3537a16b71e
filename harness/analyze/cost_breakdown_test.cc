#include "harness/analyze/cost_breakdown.h"

#include <gtest/gtest.h>

namespace hugin::harness {
namespace {

Profile MakeProfile(const std::string& process, double cpu_us,
                    std::vector<std::pair<std::string, uint64_t>> groups) {
  Profile p;
  p.process = process;
  p.cpu_us = cpu_us;
  for (const auto& [g, n] : groups) {
    p.groups.push_back({g, n, {{g + "_leaf", n}}});
    p.samples += n;
  }
  return p;
}

// A run with bpf_stats figures: `programs`' run times summed as the run's total. `probe`: a
// probe-time run (bpf_stats on), else a paired one.
RunResult BpfRun(Arm arm, bool probe, uint64_t requests, std::vector<BpfProgramStats> programs) {
  RunResult r;
  r.ok = true;
  r.arm = arm;
  r.probe_run = probe;
  r.requests_served = requests;
  for (const auto& p : programs) r.bpf.run_time_ns += p.run_time_ns;
  r.bpf.per_program = std::move(programs);
  return r;
}

RunResult ProbeRun(Arm arm, uint64_t requests, std::vector<BpfProgramStats> programs) {
  return BpfRun(arm, true, requests, std::move(programs));
}

RunResult ProfileRun(Arm arm, uint64_t requests, Profile service, std::optional<Profile> agent) {
  RunResult r;
  r.ok = true;
  r.arm = arm;
  r.profile_run = true;
  r.requests_served = requests;
  r.service_profile = std::move(service);
  r.agent_profile = std::move(agent);
  return r;
}

}  // namespace

TEST(CostBreakdown, PerProgramTable) {
  BpfStats s;
  s.per_program = {{"hg_close", 20000, 100}, {"hg_sys_exit", 3000000, 10000}};
  const auto t = ProgramCosts(s, 1000);
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].name, "hg_close");
  EXPECT_DOUBLE_EQ(t[0].runs_per_request, 0.1);
  EXPECT_DOUBLE_EQ(t[0].ns_per_run, 200);
  EXPECT_DOUBLE_EQ(t[0].ns_per_request, 20);
  EXPECT_EQ(t[1].name, "hg_sys_exit");
  EXPECT_DOUBLE_EQ(t[1].runs_per_request, 10);
  EXPECT_DOUBLE_EQ(t[1].ns_per_run, 300);
  EXPECT_DOUBLE_EQ(t[1].ns_per_request, 3000);
  // A program that never ran: no division by zero.
  s.per_program = {{"hg_idle", 0, 0}};
  EXPECT_EQ(ProgramCosts(s, 1000)[0].ns_per_run, 0);
  EXPECT_EQ(ProgramCosts(s, 0)[0].runs_per_request, 0);
}

TEST(CostBreakdown, SharesOfMeasuredCpuSumToIt) {
  const ProcessCost c =
      ProcessCostOf(MakeProfile("agent", 3000, {{"decode", 10}, {"parser", 30}, {"other", 60}}), 100);
  EXPECT_TRUE(c.error.empty());
  EXPECT_DOUBLE_EQ(c.cpu_us_per_request, 30);
  ASSERT_EQ(c.groups.size(), 3u);
  EXPECT_DOUBLE_EQ(c.groups[0].share, 0.1);
  EXPECT_DOUBLE_EQ(c.groups[0].us_per_request, 3);
  EXPECT_DOUBLE_EQ(c.groups[2].us_per_request, 18);
  double sum = 0;
  for (const auto& g : c.groups) sum += g.us_per_request;
  EXPECT_NEAR(sum, c.cpu_us_per_request, 1e-9);
}

TEST(CostBreakdown, PerfErrorsAndEmptyProfilesAreSaid) {
  Profile failed;
  failed.error = "cannot start perf: no such file";
  EXPECT_EQ(ProcessCostOf(failed, 100).error, "cannot start perf: no such file");
  EXPECT_EQ(ProcessCostOf(MakeProfile("s", 100, {}), 100).error, "perf recorded no sample");
  EXPECT_FALSE(ProcessCostOf(MakeProfile("s", 100, {{"user", 1}}), 0).error.empty());
}

TEST(CostBreakdown, ServiceDiffBetweenArmsAndAgentStages) {
  std::vector<RunResult> runs;
  runs.push_back(ProfileRun(Arm::kBaseline, 1000,
                            MakeProfile("service", 50000, {{"tracing", 0}, {"kernel", 60}, {"user", 40}}),
                            std::nullopt));
  runs.push_back(ProfileRun(Arm::kHugin, 1000,
                            MakeProfile("service", 60000, {{"tracing", 20}, {"kernel", 50}, {"user", 30}}),
                            MakeProfile("agent", 10000, {{"parser", 1}, {"printing", 3}})));
  RunResult probe;
  probe.ok = true;
  probe.arm = Arm::kHugin;
  probe.probe_run = true;
  probe.requests_served = 500;
  probe.bpf.run_time_ns = 1000000;
  probe.bpf.per_program = {{"hg_sys_exit", 1000000, 5000}};
  runs.push_back(probe);
  RunResult paired = runs[1];  // a paired run is no profile
  paired.profile_run = false;
  paired.arm = Arm::kHuginMetrics;
  runs.push_back(paired);

  const CostBreakdown b = BreakdownStep(0, runs);
  ASSERT_EQ(b.programs.size(), 1u);
  EXPECT_DOUBLE_EQ(b.programs[0].ns_per_request, 2000);
  EXPECT_DOUBLE_EQ(b.probe_ns_per_request, 2000);
  ASSERT_TRUE(b.baseline_service);
  EXPECT_DOUBLE_EQ(b.baseline_service->cpu_us_per_request, 50);
  ASSERT_EQ(b.arms.size(), 1u);  // only the profiled agent arm
  const AgentArmCost& a = b.arms[0];
  EXPECT_EQ(a.arm, Arm::kHugin);
  EXPECT_DOUBLE_EQ(a.agent.cpu_us_per_request, 10);
  EXPECT_DOUBLE_EQ(a.agent.groups[1].us_per_request, 7.5);
  ASSERT_EQ(a.service_added.size(), 3u);
  EXPECT_EQ(a.service_added[0].group, "tracing");
  EXPECT_DOUBLE_EQ(a.service_added[0].baseline_us_per_request, 0);
  EXPECT_DOUBLE_EQ(a.service_added[0].instrumented_us_per_request, 12);
  EXPECT_DOUBLE_EQ(a.service_added[0].added_us_per_request, 12);
  EXPECT_DOUBLE_EQ(a.service_added[1].added_us_per_request, 30 - 30);  // kernel 30 -> 30
  EXPECT_DOUBLE_EQ(a.service_added[2].added_us_per_request, 18 - 20);  // user 20 -> 18
}

TEST(CostBreakdown, HookFloorProbeRunIsTheFloorNotHugin) {
  // The floor's run first: it must not become Hugin's program table.
  std::vector<RunResult> runs;
  runs.push_back(ProbeRun(Arm::kHookFloor, 1000, {{"hf_sys_exit", 300000, 10000},
                                                   {"hf_data_ready", 80000, 2000}}));
  runs.push_back(ProbeRun(Arm::kHuginMetrics, 2000, {{"hg_sys_exit", 1800000, 20000}}));
  const CostBreakdown b = BreakdownStep(0, runs);
  ASSERT_EQ(b.programs.size(), 1u);
  EXPECT_EQ(b.programs[0].name, "hg_sys_exit");
  EXPECT_DOUBLE_EQ(b.probe_ns_per_request, 900);
  ASSERT_EQ(b.floor_programs.size(), 2u);
  EXPECT_EQ(b.floor_programs[0].name, "hf_sys_exit");
  EXPECT_DOUBLE_EQ(b.floor_programs[0].ns_per_run, 30);
  EXPECT_DOUBLE_EQ(b.floor_programs[0].runs_per_request, 10);
  EXPECT_EQ(b.floor_probe_requests, 1000u);
  EXPECT_DOUBLE_EQ(b.floor_probe_ns_per_request, 380);
  EXPECT_FALSE(b.empty());
  // hugin_metrics alone: its probe-time run is THE one, not repeated as the metrics-only table.
  EXPECT_TRUE(b.metrics_programs.empty());
  EXPECT_EQ(b.metrics_probe_requests, 0u);
  EXPECT_EQ(b.metrics_probe_ns_per_request, 0);
  // A paired hook_floor run (bpf_stats off) is no floor figure.
  RunResult paired = runs[0];
  paired.probe_run = false;
  EXPECT_TRUE(BreakdownStep(0, {paired}).floor_programs.empty());
}

TEST(CostBreakdown, MetricsOnlyProbeRunBesideHuginsIsItsOwnTable) {
  // The metrics-only run first: it must not become Hugin's table for coming first.
  std::vector<RunResult> runs;
  runs.push_back(ProbeRun(Arm::kHuginMetrics, 2000, {{"hg_sys_exit", 1000000, 20000},
                                                      {"hg_data_ready", 200000, 4000}}));
  runs.push_back(ProbeRun(Arm::kHugin, 1000, {{"hg_sys_exit", 1500000, 10000}}));
  runs.push_back(ProbeRun(Arm::kHookFloor, 1000, {{"hf_sys_exit", 300000, 10000}}));
  const CostBreakdown b = BreakdownStep(0, runs);
  ASSERT_EQ(b.programs.size(), 1u);
  EXPECT_EQ(b.probe_requests, 1000u);
  EXPECT_DOUBLE_EQ(b.probe_ns_per_request, 1500);
  ASSERT_EQ(b.metrics_programs.size(), 2u);
  EXPECT_EQ(b.metrics_programs[1].name, "hg_data_ready");
  EXPECT_DOUBLE_EQ(b.metrics_programs[1].runs_per_request, 2);
  EXPECT_EQ(b.metrics_probe_requests, 2000u);
  EXPECT_DOUBLE_EQ(b.metrics_probe_ns_per_request, 600);
  EXPECT_DOUBLE_EQ(b.floor_probe_ns_per_request, 300);
  // Hugin's probe-time run failed: the metrics-only figures stay its own, never shown as Hugin's.
  runs[1].ok = false;
  const CostBreakdown failed = BreakdownStep(0, runs);
  EXPECT_TRUE(failed.programs.empty());
  EXPECT_EQ(failed.probe_requests, 0u);
  EXPECT_EQ(failed.metrics_probe_requests, 2000u);
  // Hugin's probe-time run of another step says nothing of this one's.
  runs[1].ok = true;
  runs[1].rate = 5;
  const CostBreakdown other_step = BreakdownStep(0, runs);
  EXPECT_TRUE(other_step.metrics_programs.empty());
  EXPECT_EQ(other_step.probe_requests, 2000u);
  // A metrics-only table alone is something to show.
  CostBreakdown only;
  only.metrics_programs = b.metrics_programs;
  EXPECT_FALSE(only.empty());
}

TEST(CostBreakdown, LadderArmProbeRunsAreTheLadderNotTheAgents) {
  // Ladder runs first and out of ladder order: none may become the agent's table for coming
  // first, and the ladder keeps kLadderArms' order. A paired stage_lookup run is no probe figure.
  std::vector<RunResult> runs;
  runs.push_back(BpfRun(Arm::kStageLookup, false, 1000, {{"hg_sock_recv", 9000000, 4000}}));
  runs.push_back(BpfRun(Arm::kSyscallPath, true, 2000, {{"hg_sys_exit", 3000000, 30000}}));
  runs.push_back(BpfRun(Arm::kStageHeads, true, 1000, {{"hg_sock_recv", 400000, 4000},
                                                    {"hg_sock_send", 200000, 2000}}));
  runs.push_back(BpfRun(Arm::kStageLookup, true, 1000, {{"hg_sock_recv", 250000, 4000}}));
  runs.push_back(BpfRun(Arm::kHuginMetrics, true, 1000, {{"hg_sock_recv", 900000, 4000}}));
  runs.push_back(BpfRun(Arm::kHookFloor, true, 1000, {{"hf_sock_recv", 120000, 4000}}));
  const CostBreakdown b = BreakdownStep(0, runs);
  ASSERT_EQ(b.ladder.size(), 3u);
  EXPECT_EQ(b.ladder[0].arm, Arm::kStageLookup);
  EXPECT_EQ(b.ladder[0].requests, 1000u);
  EXPECT_DOUBLE_EQ(b.ladder[0].ns_per_request, 250);  // the probe-time run's, not the paired one's
  EXPECT_EQ(b.ladder[1].arm, Arm::kStageHeads);
  EXPECT_DOUBLE_EQ(b.ladder[1].ns_per_request, 600);
  ASSERT_EQ(b.ladder[1].programs.size(), 2u);
  EXPECT_EQ(b.ladder[1].programs[1].name, "hg_sock_send");
  EXPECT_DOUBLE_EQ(b.ladder[1].programs[1].runs_per_request, 2);
  EXPECT_EQ(b.ladder[2].arm, Arm::kSyscallPath);
  EXPECT_EQ(b.ladder[2].requests, 2000u);
  EXPECT_DOUBLE_EQ(b.ladder[2].ns_per_request, 1500);
  // The agent's table is hugin_metrics' (the only agent arm), the floor's its own.
  ASSERT_EQ(b.programs.size(), 1u);
  EXPECT_EQ(b.probe_arm, Arm::kHuginMetrics);
  EXPECT_DOUBLE_EQ(b.probe_ns_per_request, 900);
  EXPECT_TRUE(b.metrics_programs.empty());
  EXPECT_DOUBLE_EQ(b.floor_probe_ns_per_request, 120);
  // A failed ladder run (stage_heads') is absent, the others stay.
  runs[2].ok = false;
  const CostBreakdown failed = BreakdownStep(0, runs);
  ASSERT_EQ(failed.ladder.size(), 2u);
  EXPECT_EQ(failed.ladder[0].arm, Arm::kStageLookup);
  EXPECT_EQ(failed.ladder[1].arm, Arm::kSyscallPath);
  // Ladder runs alone: a ladder and nothing else, still something to show.
  const CostBreakdown alone = BreakdownStep(0, {runs[2], runs[1]});
  EXPECT_TRUE(alone.programs.empty());
  EXPECT_TRUE(alone.metrics_programs.empty());
  EXPECT_EQ(alone.probe_requests, 0u);
  ASSERT_EQ(alone.ladder.size(), 1u);
  EXPECT_EQ(alone.ladder[0].arm, Arm::kSyscallPath);
  EXPECT_FALSE(alone.empty());
  // Hugin's probe-time run beside it: Hugin's is the table, hugin_metrics' its own.
  runs.push_back(BpfRun(Arm::kHugin, true, 1000, {{"hg_sock_recv", 1500000, 4000}}));
  const CostBreakdown with_hugin = BreakdownStep(0, runs);
  EXPECT_EQ(with_hugin.probe_arm, Arm::kHugin);
  EXPECT_DOUBLE_EQ(with_hugin.probe_ns_per_request, 1500);
  EXPECT_DOUBLE_EQ(with_hugin.metrics_probe_ns_per_request, 900);
  EXPECT_EQ(with_hugin.ladder.size(), 2u);
}

TEST(CostBreakdown, NoBaselineProfileNoDiff) {
  std::vector<RunResult> runs;
  runs.push_back(ProfileRun(Arm::kHugin, 100, MakeProfile("service", 100, {{"user", 1}}),
                            std::nullopt));
  const CostBreakdown b = BreakdownStep(0, runs);
  ASSERT_EQ(b.arms.size(), 1u);
  EXPECT_TRUE(b.arms[0].service_added.empty());
  EXPECT_EQ(b.arms[0].agent.error, "the agent was not profiled");
  EXPECT_TRUE(BreakdownStep(0, {}).empty());
}

}  // namespace hugin::harness
