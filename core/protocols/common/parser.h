// The protocol contract: what the connection tracker needs from a protocol, and nothing
// about any one protocol. A protocol is a folder under core/protocols with
//   - an inference function over a connection's first bytes in one direction,
//   - a per-connection parser (bytes in per direction, exchanges out, close, stats),
//   - the capture the kernel should apply to its connections (enum hg_capture_mode),
// gathered in one ProtocolTraits value and listed once in core/protocols/registry.cc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "core/protocols/common/chunk.h"
#include "core/protocols/common/exchange.h"

extern "C" {
#include "bpf/hugin.h"
}

namespace hugin::protocols {

// Memory bounds every parser keeps per connection (the tracker bounds connections and the
// requests held across all of them). Set from Config (core/config).
struct ParserLimits {
  // Requests awaiting their answer on one connection: HTTP/1.x pipelined requests, HTTP/2 open
  // streams. Beyond it the oldest is given up (reported unanswered) and counted.
  size_t max_in_flight = 256;
  // Bytes of one message head buffered per direction (an HTTP/1.x request/status line and
  // headers, an HTTP/2 header block) while its end has not been seen. A head that grows past it
  // (a slow sender, garbage without a line end) is dropped and counted; the parser resyncs.
  size_t max_header_bytes = 16 * 1024;
};

// Counters every parser keeps (a protocol may count more internally).
struct ParserStats {
  uint64_t parse_errors = 0;  // malformed input: counted, the parser resyncs or gives up
  uint64_t gaps = 0;          // lost or hidden bytes noticed in a stream
  uint64_t unreported = 0;    // exchanges seen but not reported: not seen whole, or fields the
                              // report would need (its protocol) could not be decoded
  uint64_t in_flight_evictions = 0;     // requests given up at ParserLimits::max_in_flight
  uint64_t header_bytes_evictions = 0;  // heads dropped at ParserLimits::max_header_bytes
};

class ConnectionParser {
 public:
  virtual ~ConnectionParser() = default;
  virtual void OnData(Sender from, const Chunk& chunk) = 0;
  // The connection ended. `client_stream_end`: the kernel's count of the bytes the client sent,
  // when known, so a parser can tell whether any of them were never seen.
  virtual void OnClose(uint64_t ts_ns, std::optional<uint64_t> client_stream_end) = 0;
  // Completed exchanges since the last call, in request order; appended to `out`.
  virtual void TakeExchanges(std::vector<Exchange>& out) = 0;
  virtual ParserStats stats() const = 0;
  // Requests held for pairing: awaiting an answer, or answered but not handed out yet.
  virtual size_t pending() const = 0;
  // Gives up the oldest request still awaiting an answer (it comes out of TakeExchanges
  // unanswered); false when none can be given up. The tracker calls it to keep the requests held
  // across all connections under its bound; the parser does not count it.
  virtual bool DropOldestPending() = 0;
};

enum class Verdict { kNo, kMaybe, kYes };

// What a protocol says about the first bytes of one direction of a connection.
struct Inference {
  Verdict verdict = Verdict::kNo;
  // On kYes: which end sent these bytes (a request start -> the client), when the bytes say.
  std::optional<Sender> sender;
};

struct ProtocolTraits {
  const char* name;  // "http1"
  // `bytes`: the captured start of a chunk whose syscalls moved `len` bytes (len >= size).
  // `at_stream_start`: the chunk is the first of its direction (position 0 of a connection seen
  // from its accept/connect); otherwise it is any chunk of a connection first seen mid-stream,
  // and kYes means "a message starts here".
  Inference (*infer)(std::string_view bytes, uint64_t len, bool at_stream_start);
  // A parser for one connection. `streams_start_at_zero`: the connection was seen from its
  // first byte (accept/connect), so a first chunk past position 0 is a gap.
  std::unique_ptr<ConnectionParser> (*make_parser)(bool streams_start_at_zero,
                                                   const ParserLimits& limits);
  // How the kernel should capture this protocol's connections.
  hg_capture_mode capture;
};

}  // namespace hugin::protocols
