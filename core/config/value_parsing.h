// Small, strict parsers for configuration values. They never throw; a bad
// value yields std::nullopt and the caller writes the error message.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/config/config.h"

namespace hugin::config_internal {

std::string_view Trim(std::string_view s);

// Renders a value for an error message on one line, in double quotes.
std::string Quote(std::string_view value);

// Decimal digits only (after trimming), value in [min, max].
std::optional<uint64_t> ParseUnsigned(std::string_view s, uint64_t min, uint64_t max);

// A byte size: decimal digits with an optional binary suffix K, M or G
// (case-insensitive, optional trailing "iB"/"B"), e.g. "65536", "16M", "1GiB".
std::optional<uint64_t> ParseByteSize(std::string_view s);

// Go's strconv.ParseBool set, case-insensitive: 1 t true yes on / 0 f false no off.
std::optional<bool> ParseBool(std::string_view s);

// "text" | "json" | "disabled", case-insensitive.
std::optional<TracePrinter> ParseTracePrinter(std::string_view s);

}  // namespace hugin::config_internal
