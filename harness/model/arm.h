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
};

// An arm that runs the Hugin agent.
inline bool IsAgentArm(Arm a) { return a == Arm::kHugin || a == Arm::kHuginMetrics; }

inline const char* ArmName(Arm a) {
  switch (a) {
    case Arm::kBaseline: return "baseline";
    case Arm::kHugin: return "hugin";
    case Arm::kOtel: return "otel";
    case Arm::kHuginMetrics: return "hugin_metrics";
    case Arm::kHookFloor: return "hook_floor";
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
  }
  return '?';
}

inline std::optional<Arm> ParseArm(std::string_view name) {
  if (name == "baseline") return Arm::kBaseline;
  if (name == "hugin") return Arm::kHugin;
  if (name == "otel") return Arm::kOtel;
  if (name == "hugin_metrics") return Arm::kHuginMetrics;
  if (name == "hook_floor") return Arm::kHookFloor;
  return std::nullopt;
}

}  // namespace hugin::harness
