// Plain data types of the HTTP/1.x protocol folder: what the connection tracker feeds in
// (DataChunk), what comes out (Record), and the counters (Stats).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/protocols/common/chunk.h"

namespace hugin::http1 {

// One socket syscall's worth of one direction of a connection (the contract's chunk).
using DataChunk = protocols::Chunk;

// One request matched with its response.
struct Record {
  std::string method;  // "GET"
  std::string path;    // "/hello" (query string and fragment stripped)
  int status = 0;      // 0 when no response was seen (e.g. connection closed first)
  uint64_t req_body_bytes = 0, resp_body_bytes = 0;
  uint64_t req_start_ns = 0;    // ts_ns of the chunk holding the request's first byte
  uint64_t req_arrival_ns = 0;  // arrival_ns of that chunk if nonzero, else req_start_ns
  uint64_t req_end_ns = 0;      // ts of the chunk holding the request's last byte
  uint64_t resp_start_ns = 0, resp_end_ns = 0;  // first/last response byte chunk ts
  // Set when a truncated capture hid bytes the framing needs (a chunk-size line, or the end of
  // a head longer than the capture) and the message's end was inferred from syscall boundaries
  // (Options::estimate_truncated_ends): the body byte count is then an upper bound (it may
  // include framing and header bytes) and the end time is the ts of the last syscall before the
  // next message started. Method, path and status are exact.
  bool estimated = false;
};

struct Stats {
  uint64_t parse_errors = 0;         // malformed heads, bad Content-Length, bad chunk sizes, junk
  uint64_t gaps = 0;                 // lost events (pos jumps) and truncated captures hiding needed bytes
  uint64_t resyncs = 0;              // times a direction regained sync at a plausible message start
  uint64_t unmatched_responses = 0;  // final responses with no request to pair with
  uint64_t requests = 0;             // request heads parsed
  uint64_t responses = 0;            // final (non-1xx) response heads parsed
  uint64_t overlaps = 0;             // chunks wholly or partly at positions already consumed
  uint64_t dropped_messages = 0;     // partial messages given up (gap or parse error)
  uint64_t oversize_heads = 0;       // heads or trailer sections over Options::max_head_bytes,
                                     // chunk-size lines over 4 KiB: dropped, resynced
  uint64_t pending_evictions = 0;    // requests given status 0 at Options::max_pending_requests
};

// Limits and policies; the defaults suit the agent.
struct Options {
  size_t max_head_bytes = 16 * 1024;  // request/status line + headers; more -> parse error, resync
  size_t max_pending_requests = 1024;  // requests awaiting a response; the oldest is given status 0 beyond
  // A message whose framing bytes lie beyond the captured prefix (a chunk-size line, or the end
  // of a head whose first line was captured) cannot be followed. When true, it is assumed to end
  // where a syscall ends, namely before the next chunk of the stream that starts a plausible
  // message (or at close); the record is marked `estimated`. When false, such a message is
  // dropped and counted. Either way Stats::gaps counts it.
  bool estimate_truncated_ends = true;
  // True when the tracker saw the connection open (accept/connect): position 0 of each direction
  // is the first byte ever sent, so a first chunk past 0 is a gap and junk at 0 a parse error.
  // False for connections first seen mid-stream: the first chunk may join a message halfway.
  bool streams_start_at_zero = false;
};

}  // namespace hugin::http1
