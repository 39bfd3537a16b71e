// The arms a scenario compares in one interleaved run.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hugin::harness {

enum class Arm {
  kBaseline,  // the fixture alone
  kHugin,     // the fixture watched by Hugin
  kOtel,      // the fixture instrumented in-process by the OpenTelemetry Node SDK (Node only)
  // The fixture watched by Hugin with the trace printer off: metrics only, what a production user
  // runs. No spans, so its capture and accuracy come from the Prometheus counters.
  kHuginMetrics,
  // The fixture with only empty BPF programs on Hugin's hooks (harness/floor): the part of
  // Hugin's cost that no work inside its programs can remove.
  kHookFloor,
  // The cost ladder between the hook floor and hugin_metrics: the agent with its data calls
  // stopped early (HUGIN_PROBE_STAGE), nothing recorded. stage_lookup: each data call finds its
  // connection and stops; stage_heads: and copies its first bytes. What each step of the
  // kernel's work costs the service; no telemetry to check.
  kStageLookup,
  kStageHeads,
  // The metrics-only agent on the syscall data path (HUGIN_DATA_PATH=syscalls: tp_btf/sys_exit)
  // on a kernel where the agent would take the socket path: what the socket path saves, in the
  // same interleaved run. Reported with the ladder; its telemetry is not checked.
  kSyscallPath,
};

// The arms reported as a ladder step (throughput ratio and added CPU vs baseline only), in
// report order.
inline constexpr Arm kLadderArms[] = {Arm::kStageLookup, Arm::kStageHeads, Arm::kSyscallPath};

// A cost-ladder arm: runs the agent, produces nothing to check.
inline bool IsStageArm(Arm a) {
  return a == Arm::kStageLookup || a == Arm::kStageHeads || a == Arm::kSyscallPath;
}

// HUGIN_DATA_PATH of an arm's agent; nullptr: the agent's own choice.
inline const char* DataPathOf(Arm a) { return a == Arm::kSyscallPath ? "syscalls" : nullptr; }

// HUGIN_PROBE_STAGE of a cost-ladder arm.
inline const char* ProbeStageOf(Arm a) {
  return a == Arm::kStageLookup ? "lookup" : a == Arm::kStageHeads ? "heads" : "full";
}

// An arm that runs the Hugin agent.
inline bool IsAgentArm(Arm a) { return a == Arm::kHugin || a == Arm::kHuginMetrics; }
// An arm whose run starts the agent (its telemetry checked or not).
inline bool RunsAgent(Arm a) { return IsAgentArm(a) || IsStageArm(a); }

inline const char* ArmName(Arm a) {
  switch (a) {
    case Arm::kBaseline: return "baseline";
    case Arm::kHugin: return "hugin";
    case Arm::kOtel: return "otel";
    case Arm::kHuginMetrics: return "hugin_metrics";
    case Arm::kHookFloor: return "hook_floor";
    case Arm::kStageLookup: return "stage_lookup";
    case Arm::kStageHeads: return "stage_heads";
    case Arm::kSyscallPath: return "syscall_path";
  }
  return "?";
}

// One letter per arm, distinct, for the request identity's run id (model/identity.h): the paths
// of a pair's arms keep one length.
inline char ArmLetter(Arm a) {
  switch (a) {
    case Arm::kBaseline: return 'b';
    case Arm::kHugin: return 'h';
    case Arm::kOtel: return 'o';
    case Arm::kHuginMetrics: return 'm';
    case Arm::kHookFloor: return 'f';
    case Arm::kStageLookup: return 'l';
    case Arm::kStageHeads: return 'k';
    case Arm::kSyscallPath: return 's';
  }
  return '?';
}

inline std::optional<Arm> ParseArm(std::string_view name) {
  if (name == "baseline") return Arm::kBaseline;
  if (name == "hugin") return Arm::kHugin;
  if (name == "otel") return Arm::kOtel;
  if (name == "hugin_metrics") return Arm::kHuginMetrics;
  if (name == "hook_floor") return Arm::kHookFloor;
  if (name == "stage_lookup") return Arm::kStageLookup;
  if (name == "stage_heads") return Arm::kStageHeads;
  if (name == "syscall_path") return Arm::kSyscallPath;
  return std::nullopt;
}

}  // namespace hugin::harness
