// HTTP/2 framing (RFC 9113 section 4): the 9-byte frame header and the payload layouts Hugin
// reads, as pure functions over byte strings.
//
// Written here rather than taken from nghttp2: nghttp2's session API is a full endpoint (it
// answers SETTINGS and PING, enforces flow control and closes the session on the first protocol
// error), not a passive decoder that must survive captured prefixes, lost bytes and a late
// attach. Only its HPACK inflater is used (hpack.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>

namespace hugin::http2 {

inline constexpr size_t kFrameHeaderSize = 9;
inline constexpr std::string_view kClientPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
inline constexpr uint32_t kDefaultMaxFrameSize = 16384;
inline constexpr uint32_t kMaxFrameSizeLimit = (1u << 24) - 1;  // SETTINGS_MAX_FRAME_SIZE max

enum FrameType : uint8_t {
  kData = 0x0,
  kHeaders = 0x1,
  kPriority = 0x2,
  kRstStream = 0x3,
  kSettings = 0x4,
  kPushPromise = 0x5,
  kPing = 0x6,
  kGoaway = 0x7,
  kWindowUpdate = 0x8,
  kContinuation = 0x9,
};

inline constexpr uint8_t kFlagEndStream = 0x1;  // DATA, HEADERS
inline constexpr uint8_t kFlagAck = 0x1;        // SETTINGS, PING
inline constexpr uint8_t kFlagEndHeaders = 0x4;
inline constexpr uint8_t kFlagPadded = 0x8;
inline constexpr uint8_t kFlagPriority = 0x20;

inline constexpr uint16_t kSettingsHeaderTableSize = 0x1;
inline constexpr uint16_t kSettingsMaxFrameSize = 0x5;

struct FrameHeader {
  uint32_t length = 0;  // payload bytes (24 bits)
  uint8_t type = 0;
  uint8_t flags = 0;
  uint32_t stream_id = 0;  // reserved bit cleared
  bool reserved_bit = false;
};

// Why a frame header or payload is invalid. Not a Result<> Error (core/common/result.h): a bad
// frame is a drop reason the parser counts and recovers from, never reported to a caller.
enum class FrameError {
  kTooLong,      // longer than the receiver's SETTINGS_MAX_FRAME_SIZE
  kBadStreamId,  // connection frame on a stream or stream frame on stream 0
  kBadLength,    // fixed-size payload of the wrong size (PING 8, RST_STREAM 4, ...)
  kReservedBit,  // the reserved bit is set (senders must not; only checked when strict)
  kUnknownType,  // only when strict
  kBadPadding,   // pad length not smaller than the payload
};

const char* FrameErrorName(FrameError e);

// Decodes 9 bytes (`bytes.size() >= 9`) without validation.
FrameHeader DecodeFrameHeader(std::string_view bytes);

// Checks a header against RFC 9113's per-type rules. `strict` adds the checks that a correct
// sender always passes but a receiver must tolerate (reserved bit, unknown types): it is used
// where garbage must be told from frames (resynchronisation, detection).
std::optional<FrameError> ValidateFrameHeader(const FrameHeader& h, uint32_t max_frame_size,
                                              bool strict);

// HEADERS / PUSH_PROMISE payload -> the header block fragment (padding, priority and the
// promised stream id removed). The FrameError is a counted drop reason, not a Result Error.
std::variant<std::string_view, FrameError> HeaderBlockFragment(const FrameHeader& h,
                                                               std::string_view payload);

// Visits each SETTINGS entry (id, value) of a payload (length a multiple of 6).
template <typename F>
void ForEachSetting(std::string_view payload, F&& f) {
  for (size_t off = 0; off + 6 <= payload.size(); off += 6) {
    auto b = [&](size_t i) {
      return static_cast<uint32_t>(static_cast<uint8_t>(payload[off + i]));
    };
    f(static_cast<uint16_t>(b(0) << 8 | b(1)), b(2) << 24 | b(3) << 16 | b(4) << 8 | b(5));
  }
}

// Big-endian 32-bit value at `bytes[0..4)`, reserved bit kept.
uint32_t ReadU32(std::string_view bytes);

}  // namespace hugin::http2
