// What the harness reads from the agent's stderr.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace hugin::harness {

struct PlantedFaults {
  uint64_t dropped_spans = 0;
  uint64_t swapped_statuses = 0;
};

// The agent's exit line under HUGIN_FAULT: "hugin: fault injection planted drop_span=K
// swap_status=M" (the last one wins). nullopt when the log has none.
std::optional<PlantedFaults> ParsePlantedFaults(const std::string& agent_stderr);

// The data path of the agent's ready line ("hugin: ready: ... (...; data path: sockets)"):
// where its kernel side saw data calls. Empty when the log has none.
std::string ParseDataPath(const std::string& agent_stderr);

}  // namespace hugin::harness
