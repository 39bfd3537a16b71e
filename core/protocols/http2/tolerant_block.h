// Tolerant decoding of one HPACK header block when the dynamic table is not fully known (late
// attach, or after lost header-block bytes), without an own Huffman decoder: the block's
// representations are walked with HPACK's integer and string-length rules only, and each is
// rewritten before it goes to an inflater whose table stays empty:
//   - static-table references and literals with static or literal names pass as they are
//     (indexing flags dropped, so the scratch inflater never inserts);
//   - references to entries the KnownTable holds become literals with those strings;
//   - references to unknown entries are not fed at all and are counted as unknown fields.
// Literals "with incremental indexing" are then inserted into the KnownTable (as unknown
// entries when their name was unknown), so later references to them resolve. Table size
// updates are dropped (indices do not depend on sizes; see known_table.h).
#pragma once

#include <string_view>

#include "core/protocols/http2/hpack.h"
#include "core/protocols/http2/known_table.h"

struct nghttp2_hd_inflater;

namespace hugin::http2 {

// False when the block is malformed (bad integer, string past the end, bad Huffman): `out`
// then holds what decoded before the error, and the table state after it is unknown.
bool DecodeTolerantBlock(std::string_view block, KnownTable* known, nghttp2_hd_inflater* scratch,
                         DecodedBlock* out);

// HPACK integer (RFC 7541 section 5.1) with an N-bit prefix at data[*off]; advances *off.
// False when truncated or larger than 2^32.
bool ReadHpackInt(std::string_view data, size_t* off, int prefix_bits, uint64_t* value);

}  // namespace hugin::http2
