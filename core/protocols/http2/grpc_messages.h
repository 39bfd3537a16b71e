// Counts gRPC length-prefixed messages in one direction of a stream's DATA payload: a 5-byte
// prefix (compressed flag, 4-byte big-endian length) then the message; messages may span DATA
// frames and frames may hold several messages. Message bodies are skipped by length, so only
// the prefixes need to be captured.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string_view>

#include "core/protocols/http2/types.h"

namespace hugin::http2 {

class GrpcMessageCounter {
 public:
  void Bytes(std::string_view b) {
    while (!b.empty() && messages_.known) {
      if (body_left_ > 0) {
        size_t take = static_cast<size_t>(std::min<uint64_t>(body_left_, b.size()));
        body_left_ -= take;
        b.remove_prefix(take);
        continue;
      }
      prefix_[prefix_have_++] = static_cast<uint8_t>(b[0]);
      b.remove_prefix(1);
      if (prefix_have_ < 5) continue;
      prefix_have_ = 0;
      uint64_t len = uint64_t{prefix_[1]} << 24 | uint64_t{prefix_[2]} << 16 |
                     uint64_t{prefix_[3]} << 8 | prefix_[4];
      ++messages_.count;
      messages_.bytes += len;
      if (prefix_[0] & 1) messages_.compressed = true;
      body_left_ = len;
    }
  }
  // `n` payload bytes were not captured: fine inside a message body, fatal inside a prefix.
  void Lost(uint64_t n) {
    if (n == 0 || !messages_.known) return;
    if (prefix_have_ == 0 && n <= body_left_) {
      body_left_ -= n;
      return;
    }
    messages_.known = false;
  }
  const GrpcMessages& messages() const { return messages_; }

 private:
  GrpcMessages messages_;
  uint8_t prefix_[5] = {};
  size_t prefix_have_ = 0;
  uint64_t body_left_ = 0;
};

}  // namespace hugin::http2
