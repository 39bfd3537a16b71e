// Incremental framing of ONE direction of a connection: turns DataChunks (captured prefixes of
// syscalls, with stream positions) into message events. Buffers only the unparsed bytes of a head
// (or a chunk-size/trailer line), skips bodies by position arithmetic, and resynchronises at the
// next chunk that starts a plausible message after a gap, a truncated capture or a parse error.
#pragma once

#include <cstdint>
#include <string>

#include "core/protocols/http1/parse.h"
#include "core/protocols/http1/types.h"

namespace hugin::http1 {

// Receives the events of one direction. Implemented by the Stitcher.
class MessageSink {
 public:
  virtual ~MessageSink() = default;
  // A head was parsed. `start_ns`/`arrival_ns` belong to the chunk with the message's first byte.
  // For responses, the returned context (from the matched request) decides the body framing.
  virtual RequestContext OnHead(const MessageHead& head, uint64_t start_ns, uint64_t arrival_ns) = 0;
  // The message whose head was reported last is complete.
  virtual void OnComplete(uint64_t body_bytes, uint64_t end_ns, bool estimated) = 0;
  // Bytes were lost. `had_head`: the message whose head was reported last is given up (its end
  // is unknown). `more_lost`: further whole messages may have been lost as well.
  virtual void OnLoss(bool had_head, bool more_lost) = 0;
};

class MessageStream {
 public:
  MessageStream(MessageKind kind, const Options& options, MessageSink* sink, Stats* stats);

  void Add(const DataChunk& chunk);
  // The connection closed: ends a close-delimited (or estimated) body, gives up partial messages.
  void Close();
  // Stream position just past the last byte seen (lost bytes included once noticed).
  uint64_t next_pos() const { return next_pos_; }
  // In sync, between two messages: every byte so far belonged to a message that was parsed.
  bool at_boundary() const { return state_ == State::kIdle; }
  // After a protocol switch (101, CONNECT 2xx) the bytes are no longer HTTP/1.x.
  void EnterPassthrough() { state_ = State::kPassthrough; }

 private:
  enum class State {
    kIdle,        // at a message boundary
    kResync,      // out of sync: waiting for a chunk that starts a plausible message
    kHead,        // inside a head (partially buffered in head_buf_)
    kBodyLength,  // skipping a Content-Length body
    kChunkSize,   // reading a chunk-size line
    kChunkData,   // skipping chunk data
    kChunkCrlf,   // the CRLF after chunk data
    kTrailers,    // trailer lines after the last chunk
    kUntilClose,  // response body delimited by connection close
    kGuessEnd,    // chunked framing hidden by truncation: assume the body ends at a syscall end
    kPassthrough, // tunnel / upgraded connection
  };

  // Processes the in-order part of a chunk: `data` is the captured prefix of `len` bytes.
  void Process(const DataChunk& c, uint64_t len, std::string_view data);
  void OnPositionGap(uint64_t missing);
  // Each returns false when processing of the current chunk must stop.
  bool StepIdle(const DataChunk& c, uint64_t len, std::string_view data, uint64_t* off);
  bool StepHead(const DataChunk& c, uint64_t len, std::string_view data, uint64_t* off);
  bool StepLine(const DataChunk& c, uint64_t len, std::string_view data, uint64_t* off);
  bool StepChunkCrlf(const DataChunk& c, uint64_t len, std::string_view data, uint64_t* off);
  bool StepGuessEnd(const DataChunk& c, uint64_t len, std::string_view data, uint64_t* off);
  bool HandleHead(std::string_view head, const DataChunk& c);
  bool HandleLine(std::string_view line, const DataChunk& c);
  // Whether a chunk starting with `data` (of `len` bytes) starts a message (strict match).
  bool StartsMessage(std::string_view data, uint64_t len) const;
  void Complete(uint64_t end_ns);
  void EndSloppyBody();
  void Lose(bool more_lost);
  void ParseError();
  void TruncatedFraming(const DataChunk& c, uint64_t len, uint64_t off);
  // A head cut off by the capture: reports it from its first line and guesses its end.
  bool EstimateTruncatedHead(const DataChunk& c, uint64_t len, uint64_t off);

  const MessageKind kind_;
  const Options& options_;
  MessageSink* const sink_;
  Stats* const stats_;

  State state_ = State::kIdle;
  bool have_pos_ = false;
  uint64_t next_pos_ = 0;  // stream position of the next byte expected

  // Current message.
  bool head_reported_ = false;
  bool head_start_checked_ = false;
  bool strict_start_ = false;    // the next head must start with a known method / "HTTP/1.x NNN"

  bool sloppy_body_ = false;     // framing is a guess: a message start inside the body ends it
  bool estimated_ = false;
  bool guess_uncertain_ = false;  // in kGuessEnd: a chunk not starting a message was seen
  uint64_t msg_start_ns_ = 0, msg_arrival_ns_ = 0;
  uint64_t last_ns_ = 0;     // ts of the last chunk holding bytes of the current message
  uint64_t remaining_ = 0;   // kBodyLength / kChunkData bytes left
  uint64_t body_bytes_ = 0;  // decoded body bytes so far
  uint32_t crlf_seen_ = 0;
  size_t trailer_bytes_ = 0;
  std::string head_buf_;  // unparsed head bytes (bounded by options_.max_head_bytes)
  std::string line_buf_;  // partial chunk-size or trailer line (bounded)
};

}  // namespace hugin::http1
