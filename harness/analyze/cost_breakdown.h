// The cost breakdown of one offered rate: what each of Hugin's BPF programs costs per request
// (the probe-time run), where the service's CPU goes with and without Hugin (the "perf diff"),
// and the agent's CPU by pipeline stage (the profile runs). Pure function of run results.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "harness/model/run_result.h"

namespace hugin::harness {

struct ProgramCost {
  std::string name;
  uint64_t runs = 0, run_time_ns = 0;
  double runs_per_request = 0, ns_per_run = 0, ns_per_request = 0;
};

struct GroupCost {
  std::string group;
  uint64_t samples = 0;
  double share = 0;           // of the process's samples
  double us_per_request = 0;  // share x the process's CPU µs / requests served
  std::vector<SymbolSamples> top;
};

// One profiled process of one profile run.
struct ProcessCost {
  std::string error;            // perf failed: no groups
  uint64_t samples = 0;
  double cpu_us_per_request = 0;  // /proc CPU over the profiled window / requests served
  std::vector<GroupCost> groups;  // the table's groups in order; us_per_request sums to the CPU
};

// The service's µs/request in one group without Hugin and with this arm, and the difference.
struct GroupDiff {
  std::string group;
  double baseline_us_per_request = 0, instrumented_us_per_request = 0, added_us_per_request = 0;
};

struct AgentArmCost {
  Arm arm = Arm::kHugin;
  uint64_t requests = 0;
  ProcessCost service, agent;
  std::vector<GroupDiff> service_added;  // empty without a usable baseline profile
};

// A cost-ladder arm's hg_* programs from its own probe-time run: what bpf_stats counts for the
// agent stopped at that step (or, for syscall_path, on the syscall data path).
struct LadderStepCost {
  Arm arm = Arm::kStageLookup;
  uint64_t requests = 0;
  double ns_per_request = 0;  // the programs' total
  std::vector<ProgramCost> programs;
};

struct CostBreakdown {
  // Per hg_ program, from the probe-time run (bpf_stats on): the hugin arm's, or hugin_metrics'
  // when it is the only agent arm (probe_arm says whose); empty without one.
  std::vector<ProgramCost> programs;
  Arm probe_arm = Arm::kHugin;
  uint64_t probe_requests = 0;
  double probe_ns_per_request = 0;  // the programs' total, as in the summary
  // The metrics-only agent's (hugin_metrics) hg_* programs from its own probe-time run, when the
  // step has Hugin's too: with the trace printer off the agent aggregates HTTP/1 exchanges in
  // the kernel, so the same programs do other work per call and write almost no ring record.
  // Empty when hugin_metrics is the only agent arm (its run is the one above).
  std::vector<ProgramCost> metrics_programs;
  uint64_t metrics_probe_requests = 0;
  double metrics_probe_ns_per_request = 0;
  // The hook_floor arm's empty programs (hf_*) under the same bpf_stats, from its own probe-time
  // run: what bpf_stats counts for programs that do nothing (the tracepoint dispatch and the
  // stats' own clock reads). Empty without a hook_floor arm.
  std::vector<ProgramCost> floor_programs;
  uint64_t floor_probe_requests = 0;
  double floor_probe_ns_per_request = 0;
  // Per cost-ladder arm with an ok probe-time run, in kLadderArms order. Never in programs: a
  // ladder arm runs the agent but is no agent arm (IsAgentArm), its figures are its step's.
  std::vector<LadderStepCost> ladder;
  std::optional<ProcessCost> baseline_service;
  uint64_t baseline_requests = 0;
  std::vector<AgentArmCost> arms;  // per agent arm with a profile run, in Arm order
  bool empty() const {
    return programs.empty() && metrics_programs.empty() && floor_programs.empty() &&
           ladder.empty() && !baseline_service && arms.empty();
  }
};

std::vector<ProgramCost> ProgramCosts(const BpfStats& stats, uint64_t requests);
ProcessCost ProcessCostOf(const Profile& profile, uint64_t requests);
// Per group of `instrumented`, minus the same group of `baseline` (0 where it has none).
std::vector<GroupDiff> DiffGroups(const ProcessCost& baseline, const ProcessCost& instrumented);
CostBreakdown BreakdownStep(int rate, const std::vector<RunResult>& runs);

}  // namespace hugin::harness
