// Encodes the messages of messages.h into packets and checks a received packet whole before
// it is used: unknown type, a length that is not the type's, a string without its NUL or a
// count or enum out of range is an Error naming what is wrong, never undefined behaviour.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <variant>
#include <vector>

#include "core/common/result.h"
#include "core/privsep/messages.h"

namespace hugin::privsep {

using Message = std::variant<ReadyMsg, SetCapturePolicyMsg, CountersRequestMsg, WatchingMsg,
                             GoneMsg, CountersMsg, KernelSeriesMsg, ConnLossesMsg, StopMsg>;

// The largest packet Decode accepts (a receive buffer of this size + 1 detects a longer one).
size_t MaxPacketBytes();

template <typename T>
std::vector<uint8_t> Encode(const T& payload) {
  Header h{static_cast<uint32_t>(T::kType), static_cast<uint32_t>(sizeof(T))};
  std::vector<uint8_t> out(sizeof(h) + sizeof(T));
  std::memcpy(out.data(), &h, sizeof(h));
  std::memcpy(out.data() + sizeof(h), &payload, sizeof(T));
  return out;
}

Result<Message> Decode(const uint8_t* packet, size_t size);

// Copies `s` into a fixed char array, cut to fit, always NUL-terminated.
template <size_t N>
void CopyString(char (&dst)[N], const std::string& s) {
  size_t n = s.size() < N - 1 ? s.size() : N - 1;
  std::memcpy(dst, s.data(), n);
  std::memset(dst + n, 0, N - n);
}

}  // namespace hugin::privsep
