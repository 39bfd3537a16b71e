// Reads `perf script -F tid,period,ip,sym` output (a perf record with call chains): one sample
// per block, a header line then one frame per line, leaf first.
#pragma once

#include <string>
#include <vector>

#include "harness/model/profile.h"

namespace hugin::harness {

// Blocks without a header are skipped; a block whose header parses but has no frame is a sample
// without frames (counted, classified "other"). " (inlined)" after a symbol is dropped.
std::vector<PerfSample> ParsePerfScript(const std::string& text);

}  // namespace hugin::harness
