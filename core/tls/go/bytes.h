// Bounds-checked little-endian reads from untrusted bytes: every parser in this package goes
// through these, so a truncated or corrupted binary yields std::nullopt instead of a bad read.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>

namespace hugin::gotls {

using Bytes = std::span<const uint8_t>;

template <typename T>
std::optional<T> ReadAt(Bytes b, uint64_t off) {
  static_assert(std::is_trivially_copyable_v<T>);
  if (off > b.size() || b.size() - off < sizeof(T)) return std::nullopt;
  T v;
  std::memcpy(&v, b.data() + off, sizeof(T));  // amd64 only: host order is the file's order
  return v;
}

// An unsigned integer of `width` bytes (4 or 8: Go's pointer size), widened to 64 bits.
inline std::optional<uint64_t> ReadUint(Bytes b, uint64_t off, unsigned width) {
  if (width == 8) return ReadAt<uint64_t>(b, off);
  if (width == 4) {
    auto v = ReadAt<uint32_t>(b, off);
    if (!v) return std::nullopt;
    return *v;
  }
  return std::nullopt;
}

inline std::optional<Bytes> SubSpan(Bytes b, uint64_t off, uint64_t len) {
  if (off > b.size() || b.size() - off < len) return std::nullopt;
  return b.subspan(off, len);
}

// A NUL-terminated string starting at `off`; nullopt when it runs off the end.
inline std::optional<std::string_view> CStringAt(Bytes b, uint64_t off) {
  if (off >= b.size()) return std::nullopt;
  const void* nul = std::memchr(b.data() + off, 0, b.size() - off);
  if (nul == nullptr) return std::nullopt;
  return std::string_view(reinterpret_cast<const char*>(b.data() + off),
                          static_cast<const uint8_t*>(nul) - (b.data() + off));
}

}  // namespace hugin::gotls
