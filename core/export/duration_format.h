// Human-readable durations for the trace printer, in the style of Go's
// time.Duration.String() rounded to 4 significant digits: "15.22ms",
// "689.9µs", "250ns", "1.5s", "0s".
#pragma once

#include <cstdint>
#include <string>

namespace hugin {

std::string FormatDuration(uint64_t ns);
// The same, appended to *out.
void AppendDuration(std::string* out, uint64_t ns);

}  // namespace hugin
