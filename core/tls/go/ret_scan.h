// The RET instructions of a function, found by disassembling it (Capstone, x86-64): a byte
// scan for 0xc3 would also hit immediates, displacements and ModRM bytes of other instructions.
#pragma once

#include <cstdint>
#include <vector>

#include "core/common/result.h"
#include "core/tls/go/bytes.h"

namespace hugin::gotls {

// Offsets (relative to the start of `code`) of every RET in `code`, decoded linearly from its
// first byte. Go functions are contiguous code followed by INT3 padding, so linear decoding
// is exact. An undecodable byte is an Error (we would not know where the next instruction starts).
Result<std::vector<uint64_t>> FindRetOffsets(Bytes code);

}  // namespace hugin::gotls
