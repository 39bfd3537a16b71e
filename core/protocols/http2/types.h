// Plain data types of the HTTP/2 protocol folder: what comes out of a connection (Exchange, one
// per stream), the counters (Stats) and the limits (Options). Input chunks are the contract's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "core/protocols/common/chunk.h"

namespace hugin::http2 {

using Chunk = protocols::Chunk;
using Sender = protocols::Sender;

// gRPC length-prefixed messages of one direction of a stream (5-byte prefix: compressed flag,
// 4-byte big-endian length). `known` is false when a prefix fell into bytes that were not
// captured: the count and sizes are then lower bounds.
struct GrpcMessages {
  uint64_t count = 0;
  uint64_t bytes = 0;       // message bytes without the prefixes
  bool compressed = false;  // at least one message had the compressed flag
  bool known = true;
};

// One stream, from its first frame to its end (both END_STREAMs, a reset, GOAWAY or close).
// A header field is nullopt when it was absent OR could not be decoded; the *_fields_unknown
// flags say which: they are set when a field of that side's header blocks could not be decoded
// (HPACK out of sync, a dynamic-table entry from before the attach, a lost header block, or no
// header block seen at all). A field is never guessed.
struct Exchange {
  uint32_t stream_id = 0;
  const char* protocol = "http2";  // "grpc" when content-type starts with application/grpc
  // False when no content-type (nor grpc-status) decoded and some header field could not be
  // decoded: "http2" is then only the default, the stream may be gRPC.
  bool protocol_known = true;

  std::optional<std::string> method, path, authority, scheme, content_type;  // request
  std::optional<int> status;                                                 // response :status
  std::optional<int> grpc_status;  // trailers, or a trailers-only response
  std::optional<std::string> grpc_message;
  bool request_fields_unknown = false;
  bool response_fields_unknown = false;

  // DATA payload bytes per direction, from frame headers (padding excluded when its length was
  // seen), so truncated captures still count right.
  uint64_t request_data_bytes = 0, response_data_bytes = 0;
  GrpcMessages request_messages, response_messages;

  // Chunk timestamps (0 = not seen): chunk holding the first / last byte of each side's frames.
  uint64_t req_start_ns = 0, req_arrival_ns = 0, req_end_ns = 0;
  uint64_t resp_start_ns = 0, resp_end_ns = 0;

  bool request_ended = false, response_ended = false;  // END_STREAM seen
  bool reset = false;                                  // RST_STREAM seen
  std::optional<Sender> reset_by;
  uint32_t reset_error_code = 0;
  bool refused_by_goaway = false;  // stream id above a GOAWAY's last-stream-id
  // Not seen whole: the stream began before the first byte seen (late attach, after a gap), or
  // ended without both END_STREAMs (reset, GOAWAY, close, eviction).
  bool incomplete = false;
  bool evicted = false;  // dropped to respect Options::max_streams
};

struct Stats {
  uint64_t frames = 0;                  // frame headers decoded in sync
  uint64_t unknown_frame_types = 0;     // skipped by length
  uint64_t header_blocks = 0;           // HEADERS/PUSH_PROMISE + CONTINUATIONs, decoded or not
  uint64_t streams = 0;                 // stream records created
  uint64_t exchanges = 0;               // records handed out
  uint64_t frame_errors = 0;            // invalid frame headers / payloads (garbage, bad lengths)
  uint64_t hpack_errors = 0;            // header blocks the inflater rejected
  uint64_t hpack_desyncs = 0;           // times a direction's HPACK context was lost
  uint64_t unknown_fields = 0;          // header fields reported unknown (dynamic refs not known)
  uint64_t gaps = 0;                    // position jumps and truncated captures hiding bytes
  uint64_t out_of_sync = 0;             // times a direction lost frame boundaries
  uint64_t resyncs = 0;                 // times it found a provable boundary again
  uint64_t bytes_skipped = 0;           // bytes seen while out of sync (not decoded)
  uint64_t overlaps = 0;                // chunks (partly) at positions already consumed
  uint64_t stream_evictions = 0;        // streams dropped at Options::max_streams
  uint64_t header_block_overflows = 0;  // blocks larger than Options::max_header_block_bytes
  uint64_t ignored_frames = 0;          // frames for streams already closed, stray CONTINUATIONs
};

struct Options {
  // The connection was seen from its first byte (accept/connect): position 0 of each direction
  // is a frame boundary (after the client preface), so its HPACK contexts can be followed
  // exactly. Otherwise a direction decodes tolerantly until it proves a frame boundary, and
  // dynamic-table references made before the attach are reported unknown.
  bool streams_start_at_zero = false;
  size_t max_frame_payload_bytes = 64 * 1024;  // non-DATA payloads buffered; larger are skipped
  size_t max_header_block_bytes = 64 * 1024;   // one header block (HEADERS + CONTINUATIONs)
  size_t max_streams = 1024;                   // open streams per connection; oldest evicted
  size_t max_known_table_entries = 256;        // tolerant HPACK: dynamic entries remembered
};

}  // namespace hugin::http2
