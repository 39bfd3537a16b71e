// Parses a port selection such as "80,443,8000-8999" (whitespace tolerated).
#pragma once

#include <string_view>
#include <vector>

#include "core/common/result.h"
#include "core/config/config.h"

namespace hugin::config_internal {

// On success the ranges in input order. The Error names the offending token, trimmed and
// quoted, and why it is wrong: `bad port "70000": not a port number in 1..65535`, or just
// `empty entry in port list`.
Result<std::vector<PortRange>> ParsePortList(std::string_view text);

}  // namespace hugin::config_internal
