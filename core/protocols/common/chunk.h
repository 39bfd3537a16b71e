// What every protocol parser is fed: one socket syscall's worth of one direction of a
// connection, with its stream position so that lost bytes show as a jump.
#pragma once

#include <cstdint>
#include <string_view>

namespace hugin::protocols {

struct Chunk {
  uint64_t pos;           // byte offset, in this direction's stream, of the call's first byte
  uint32_t len;           // bytes the syscall moved
  std::string_view data;  // captured prefix, data.size() <= len; bytes [pos+data.size(), pos+len) are unknown
  uint64_t ts_ns;         // CLOCK_MONOTONIC time the syscall returned
  uint64_t arrival_ns = 0;  // ingress only: when the kernel queued the data (0 = unknown)
};

// Which end of the connection sent a chunk. The tracker maps ingress/egress to this with the
// connection's role, so a parser never needs to know which end is the traced process.
enum class Sender { kClient, kServer };

}  // namespace hugin::protocols
