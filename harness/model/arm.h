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
};

inline const char* ArmName(Arm a) {
  switch (a) {
    case Arm::kBaseline: return "baseline";
    case Arm::kHugin: return "hugin";
    case Arm::kOtel: return "otel";
  }
  return "?";
}

inline std::optional<Arm> ParseArm(std::string_view name) {
  if (name == "baseline") return Arm::kBaseline;
  if (name == "hugin") return Arm::kHugin;
  if (name == "otel") return Arm::kOtel;
  return std::nullopt;
}

}  // namespace hugin::harness
