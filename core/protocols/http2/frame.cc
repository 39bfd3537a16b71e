#include "core/protocols/http2/frame.h"

namespace hugin::http2 {

const char* FrameErrorName(FrameError e) {
  switch (e) {
    case FrameError::kTooLong:
      return "frame longer than SETTINGS_MAX_FRAME_SIZE";
    case FrameError::kBadStreamId:
      return "frame on the wrong stream";
    case FrameError::kBadLength:
      return "payload of the wrong size";
    case FrameError::kReservedBit:
      return "reserved bit set";
    case FrameError::kUnknownType:
      return "unknown frame type";
    case FrameError::kBadPadding:
      return "padding longer than the payload";
  }
  return "?";
}

uint32_t ReadU32(std::string_view bytes) {
  auto b = [&](size_t i) { return static_cast<uint32_t>(static_cast<uint8_t>(bytes[i])); };
  return b(0) << 24 | b(1) << 16 | b(2) << 8 | b(3);
}

FrameHeader DecodeFrameHeader(std::string_view bytes) {
  auto b = [&](size_t i) { return static_cast<uint32_t>(static_cast<uint8_t>(bytes[i])); };
  FrameHeader h;
  h.length = b(0) << 16 | b(1) << 8 | b(2);
  h.type = static_cast<uint8_t>(b(3));
  h.flags = static_cast<uint8_t>(b(4));
  uint32_t sid = ReadU32(bytes.substr(5, 4));
  h.reserved_bit = (sid & 0x80000000u) != 0;
  h.stream_id = sid & 0x7fffffffu;
  return h;
}

std::optional<FrameError> ValidateFrameHeader(const FrameHeader& h, uint32_t max_frame_size,
                                              bool strict) {
  if (h.length > max_frame_size) return FrameError::kTooLong;
  if (strict && h.reserved_bit) return FrameError::kReservedBit;
  const bool on_stream = h.stream_id != 0;
  switch (h.type) {
    case kData:
    case kHeaders:
    case kContinuation:
      if (!on_stream) return FrameError::kBadStreamId;
      break;
    case kPushPromise:
      if (!on_stream) return FrameError::kBadStreamId;
      if (h.length < 4) return FrameError::kBadLength;
      break;
    case kPriority:
      if (!on_stream) return FrameError::kBadStreamId;
      if (h.length != 5) return FrameError::kBadLength;
      break;
    case kRstStream:
      if (!on_stream) return FrameError::kBadStreamId;
      if (h.length != 4) return FrameError::kBadLength;
      break;
    case kSettings:
      if (on_stream) return FrameError::kBadStreamId;
      if (h.length % 6 != 0 || ((h.flags & kFlagAck) && h.length != 0))
        return FrameError::kBadLength;
      break;
    case kPing:
      if (on_stream) return FrameError::kBadStreamId;
      if (h.length != 8) return FrameError::kBadLength;
      break;
    case kGoaway:
      if (on_stream) return FrameError::kBadStreamId;
      if (h.length < 8) return FrameError::kBadLength;
      break;
    case kWindowUpdate:
      if (h.length != 4) return FrameError::kBadLength;
      break;
    default:
      if (strict) return FrameError::kUnknownType;
  }
  return std::nullopt;
}

std::variant<std::string_view, FrameError> HeaderBlockFragment(const FrameHeader& h,
                                                               std::string_view payload) {
  size_t pad = 0;
  if (h.flags & kFlagPadded) {
    if (payload.empty()) return FrameError::kBadPadding;
    pad = static_cast<uint8_t>(payload[0]);
    payload.remove_prefix(1);
  }
  size_t skip = 0;
  if (h.type == kHeaders && (h.flags & kFlagPriority)) skip = 5;  // stream dependency + weight
  if (h.type == kPushPromise) skip = 4;                           // promised stream id
  if (payload.size() < skip + pad) return FrameError::kBadPadding;
  return payload.substr(skip, payload.size() - skip - pad);
}

}  // namespace hugin::http2
