// Whether a connection speaks HTTP/2 (cleartext, prior knowledge), from its first bytes per
// direction, and which end is the client.
//
//   - the client preface "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" at a stream's start: certain, client;
//   - a SETTINGS frame (no ACK, stream 0) at a stream's start: the server's first frame (its
//     connection preface); certain when the other direction starts with the client preface;
//   - mid-stream (late attach): a chunk whose frames end exactly at the syscall's end; the
//     sender is told by the first header block of a HEADERS frame: a request pseudo-header
//     (:method, :path, :scheme, :authority) -> client, :status -> server (static-table
//     references or literal names from the static table; HPACK needs no context for these).
#pragma once

#include <optional>
#include <string_view>

#include "core/protocols/http2/types.h"

namespace hugin::http2 {

enum class Verdict { kNo, kNeedMore, kYes };
enum class Confidence { kNone, kLikely, kCertain };

struct Detection {
  Verdict verdict = Verdict::kNo;
  std::optional<Sender> sender;  // which end sent these bytes, when they tell
  Confidence confidence = Confidence::kNone;
};

// One direction. `bytes`: the captured start of a chunk whose syscall moved `len` bytes.
// `at_stream_start`: the chunk is at position 0 of a connection seen from its start.
Detection DetectDirection(std::string_view bytes, uint64_t len, bool at_stream_start);

// Both directions' first chunks (either may be empty when not seen yet); the result's sender
// is that of `a`.
Detection DetectConnection(std::string_view a, uint64_t a_len, bool a_at_start, std::string_view b,
                           uint64_t b_len, bool b_at_start);

}  // namespace hugin::http2
