// Fuzz input as one connection's syscalls in both directions, the way the connection tracker
// feeds a protocol parser (core/protocols/common/parser.h): each chunk's sender, bytes, capture
// and stream position come from the input, so the fuzzer can split, truncate, lose and repeat
// data as the kernel's capture does.
//
// Format (tests/fuzz/make_seeds.cc writes it from recorded traffic):
//   byte 0: options. bit 0: the streams start at zero (connection seen from accept/connect);
//           bit 1: close with the client stream's end position (the kernel's byte count).
//   then chunks, each
//     control byte: bit 0 sender (0 client, 1 server);
//                   bits 1-2 capture: 0 every byte, 1 the first 512 (head capture's default),
//                                     2 the first N (N = next byte), 3 none;
//                   bits 3-4 position: 0 right after the sender's last chunk, 1 a jump ahead
//                                      of next byte + 1 (lost bytes), 2 back by next byte
//                                      (crossing records), 3 the previous chunk's position;
//                   bit 5: the chunk has an arrival time (kernel queueing time);
//     2-byte little-endian length, then that many bytes (fewer at the end of the input).
// Chunk i has ts_ns = 1000 * (i + 1); an arrival time is ts_ns - 500; the close is 1000 after
// the last chunk.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/protocols/common/chunk.h"

namespace hugin::fuzz {

class ChunkScript {
 public:
  ChunkScript(const uint8_t* data, size_t size) : p_(data), end_(data + size) {
    options_ = Byte();
  }

  bool streams_start_at_zero() const { return options_ & 1; }
  bool close_with_client_end() const { return options_ & 2; }

  // The next chunk; false once the input is used up.
  bool Next(protocols::Sender* from, protocols::Chunk* chunk) {
    if (p_ == end_) return false;
    const uint8_t control = Byte();
    const int s = control & 1;
    const int capture = (control >> 1) & 3;
    const int position = (control >> 3) & 3;
    const bool arrival = control & 0x20;
    uint64_t skip = 0, back = 0, head = 0;
    if (capture == 2) head = Byte();
    if (position == 1) skip = Byte() + 1u;
    if (position == 2) back = Byte();
    size_t n = Byte();
    n |= static_cast<size_t>(Byte()) << 8;
    n = std::min<size_t>(n, end_ - p_);
    const std::string_view bytes(reinterpret_cast<const char*>(p_), n);
    p_ += n;

    uint64_t pos = next_pos_[s];
    if (position == 1) pos += skip;
    if (position == 2) pos -= std::min(pos, back);
    if (position == 3) pos = last_pos_[s];
    size_t captured = n;
    if (capture == 1) captured = std::min<size_t>(n, 512);
    if (capture == 2) captured = std::min<size_t>(n, head);
    if (capture == 3) captured = 0;
    ts_ += 1000;
    *from = s ? protocols::Sender::kServer : protocols::Sender::kClient;
    *chunk = protocols::Chunk{pos, static_cast<uint32_t>(n), bytes.substr(0, captured), ts_,
                              arrival ? ts_ - 500 : 0};
    last_pos_[s] = pos;
    next_pos_[s] = std::max(next_pos_[s], pos + n);
    return true;
  }

  // After the last chunk: the time to close at, and the client stream's end (what the kernel
  // would count: the furthest byte the client sent).
  uint64_t close_ns() const { return ts_ + 1000; }
  uint64_t client_stream_end() const { return next_pos_[0]; }
  // Every time Next gave lies in [first_ns(), close_ns()].
  static constexpr uint64_t first_ns() { return 500; }

 private:
  uint8_t Byte() { return p_ == end_ ? 0 : *p_++; }

  const uint8_t* p_;
  const uint8_t* end_;
  uint8_t options_ = 0;
  uint64_t ts_ = 0;
  uint64_t next_pos_[2] = {0, 0};
  uint64_t last_pos_[2] = {0, 0};
};

}  // namespace hugin::fuzz
