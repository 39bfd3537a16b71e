// Reassembles the frames of ONE direction of a connection from chunks (captured prefixes of
// syscalls, with stream positions). Non-DATA payloads are buffered (bounded); DATA payloads are
// passed through piecewise and skipped by length where they were not captured, so a truncated
// capture of a DATA frame never costs the frame boundary.
//
// Out of sync: bytes were lost where the reader needed them (a frame header, the preface), or a
// frame header was invalid. The reader then waits for a chunk that starts with a chain of valid
// frame headers (strict checks) whose lengths end exactly at the end of the syscall, and resumes
// there. A writer emits whole frames per call, so that is where boundaries show; a chain of
// random bytes passing the per-type checks and adding up to the call's exact length is far too
// unlikely to be taken for one. Nothing else is taken as a boundary.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/protocols/http2/frame.h"
#include "core/protocols/http2/types.h"

namespace hugin::http2 {

// Timestamps of the chunks holding a frame's first and last byte.
struct FrameTimes {
  uint64_t start_ns = 0, start_arrival_ns = 0, end_ns = 0;
};

class FrameSink {
 public:
  virtual ~FrameSink() = default;
  // A whole non-DATA frame. `payload_lost`: some payload bytes were not captured or exceeded
  // Options::max_frame_payload_bytes; `payload` is then empty.
  virtual void OnFrame(Sender from, const FrameHeader& h, std::string_view payload,
                       bool payload_lost, const FrameTimes& t) = 0;
  // DATA: header seen; captured data bytes (padding removed), in order; bytes not captured;
  // frame end with its data byte count (padding excluded when the pad length was seen).
  virtual void OnDataBegin(Sender from, const FrameHeader& h, const FrameTimes& t) = 0;
  virtual void OnDataBytes(Sender from, const FrameHeader& h, std::string_view bytes) = 0;
  virtual void OnDataLost(Sender from, const FrameHeader& h, uint64_t n) = 0;
  virtual void OnDataEnd(Sender from, const FrameHeader& h, uint64_t data_bytes,
                         uint64_t end_ns) = 0;
  // Frame boundaries were lost: the frame in progress and every frame until a resync are gone.
  virtual void OnDesync(Sender from) = 0;
};

class FrameReader {
 public:
  FrameReader(Sender from, const Options& options, FrameSink* sink, Stats* stats);

  void Add(const Chunk& chunk);
  // `n` bytes right after the last byte seen were lost (as a position jump would show).
  void Lose(uint64_t n);
  // The receiver's SETTINGS_MAX_FRAME_SIZE (frames above it are errors).
  void set_max_frame_size(uint32_t v) { max_frame_size_ = v; }
  bool in_sync() const { return state_ != State::kOutOfSync; }
  // Whether the direction started in sync at position 0 (or on the client preface).
  bool started_at_boundary() const { return started_at_boundary_; }
  bool saw_preface() const { return saw_preface_; }

 private:
  enum class State { kStart, kPreface, kHeader, kPayload, kOutOfSync };

  void Consume(const Chunk& c, std::string_view data);
  void LoseInSync(uint64_t n, uint64_t ts_ns, bool truncation);
  void BeginFrame(const Chunk& c);
  void FinishFrame(uint64_t end_ns);
  void DataPiece(std::string_view bytes);
  void DataLost(uint64_t n);
  void Desync();
  // Whether a chunk starts with frames that end exactly at the end of the syscall.
  bool ProvesBoundary(std::string_view data, uint64_t len) const;

  const Sender from_;
  const Options& options_;
  FrameSink* const sink_;
  Stats* const stats_;

  State state_ = State::kStart;
  bool have_pos_ = false, started_at_boundary_ = false, saw_preface_ = false;
  uint64_t next_pos_ = 0;
  uint32_t max_frame_size_;

  size_t preface_matched_ = 0;
  std::string header_buf_;  // partial frame header (< 9 bytes)
  FrameHeader header_;      // frame in progress (kPayload)
  FrameTimes times_;
  uint64_t remaining_ = 0;  // payload bytes still to come
  std::string payload_;     // non-DATA payload so far
  bool payload_lost_ = false;
  // DATA padding: the pad-length byte is the payload's first byte.
  bool need_pad_byte_ = false;
  bool pad_known_ = true;
  uint64_t pad_ = 0;
};

}  // namespace hugin::http2
