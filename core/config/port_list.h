// Parses a port selection such as "80,443,8000-8999" (whitespace tolerated).
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/config/config.h"

namespace hugin::config_internal {

// On success the ranges in input order; on failure the offending token,
// trimmed, and why it is wrong (e.g. {"70000", "port out of range 1..65535"}).
struct PortListError {
  std::string token;
  std::string reason;
};

std::variant<std::vector<PortRange>, PortListError> ParsePortList(std::string_view text);

}  // namespace hugin::config_internal
