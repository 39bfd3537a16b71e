// The bounds of what the kernel side may be asked to capture, in one place: the configuration
// checks a user's values against them (with the flag's name in the message) and the loader
// checks its options against the same ones, so a value the agent accepts is one BPF can load.
#pragma once

#include <cstdint>
#include "core/common/result.h"

namespace hugin {

// Bytes of payload copied per syscall. Below 64 a request line rarely fits, so no parser
// could name a method and path; 4096 is the size of the kernel's copy buffer (HG_MAX_PAYLOAD).
inline constexpr uint32_t kMinPayloadBytes = 64;
inline constexpr uint32_t kMaxPayloadBytes = 4096;
// The BPF ring buffer: a power of two (the kernel requires it), at least one page. Small rings
// lose records under load, and every loss is counted (hugin_kernel_drops_total).
inline constexpr uint32_t kMinRingbufBytes = 4096;
inline constexpr uint32_t kMaxRingbufBytes = 1u << 30;

inline bool PayloadBytesValid(uint64_t n) { return n >= kMinPayloadBytes && n <= kMaxPayloadBytes; }
inline bool RingbufBytesValid(uint64_t n) {
  return n >= kMinRingbufBytes && n <= kMaxRingbufBytes && (n & (n - 1)) == 0;
}

inline constexpr const char* kPayloadBytesRule = "payload bytes must be a number in 64..4096";
inline constexpr const char* kRingbufBytesRule =
    "ring buffer size must be a power of two in 4K..1G (e.g. 16M)";

inline Status CheckCaptureLimits(uint64_t payload_bytes, uint64_t ringbuf_bytes) {
  if (!PayloadBytesValid(payload_bytes)) return Error{kPayloadBytesRule};
  if (!RingbufBytesValid(ringbuf_bytes)) return Error{kRingbufBytesRule};
  return Ok{};
}

}  // namespace hugin
