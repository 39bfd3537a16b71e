// ConnOffsets read from a Go binary's DWARF type information (libdw), when it has any.
#pragma once

#include <string>

#include "core/common/result.h"
#include "core/tls/go/conn_offsets.h"

namespace hugin::gotls {

// Error when the binary has no DWARF (built with -w or stripped) or lacks one of the types
// (e.g. the linker dropped an unused one).
Result<ConnOffsets> ReadConnOffsetsFromDwarf(const std::string& path);

}  // namespace hugin::gotls
