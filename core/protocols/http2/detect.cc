#include "core/protocols/http2/detect.h"

#include <algorithm>

#include "core/protocols/http2/frame.h"
#include "core/protocols/http2/tolerant_block.h"

namespace hugin::http2 {
namespace {

Sender Other(Sender s) { return s == Sender::kClient ? Sender::kServer : Sender::kClient; }

// The sender told by a header block's first field, when it references the static table
// (indices 1 :authority, 2-3 :method, 4-5 :path, 6-7 :scheme, 8-14 :status).
std::optional<Sender> SenderFromHeaderBlock(std::string_view block) {
  size_t off = 0;
  uint64_t index = 0;
  while (off < block.size()) {
    uint8_t b = static_cast<uint8_t>(block[off]);
    int prefix = (b & 0x80) ? 7 : (b & 0xc0) == 0x40 ? 6 : (b & 0xe0) == 0x20 ? 5 : 4;
    if (!ReadHpackInt(block, &off, prefix, &index)) return std::nullopt;
    if (prefix == 5) continue;  // table size update
    break;
  }
  if (index >= 1 && index <= 7) return Sender::kClient;
  if (index >= 8 && index <= 14) return Sender::kServer;
  return std::nullopt;
}

}  // namespace

Detection DetectDirection(std::string_view bytes, uint64_t len, bool at_stream_start) {
  Detection d;
  const size_t n = std::min(bytes.size(), kClientPreface.size());
  if (n > 0 && bytes.substr(0, n) == kClientPreface.substr(0, n)) {
    if (n < kClientPreface.size()) return {Verdict::kNeedMore, std::nullopt, Confidence::kNone};
    return {Verdict::kYes, Sender::kClient, Confidence::kCertain};
  }
  if (bytes.size() < kFrameHeaderSize) {
    return {bytes.empty() || at_stream_start ? Verdict::kNeedMore : Verdict::kNo, std::nullopt,
            Confidence::kNone};
  }
  FrameHeader first = DecodeFrameHeader(bytes);
  if (at_stream_start) {
    // A server's connection preface is a SETTINGS frame; nothing else may come first.
    if (first.type == kSettings && !(first.flags & kFlagAck) &&
        !ValidateFrameHeader(first, kMaxFrameSizeLimit, /*strict=*/true)) {
      return {Verdict::kYes, Sender::kServer, Confidence::kLikely};
    }
    return d;
  }
  // Mid-stream: frames must tile the call exactly.
  uint64_t off = 0;
  std::optional<Sender> sender;
  while (off < len && off + kFrameHeaderSize <= bytes.size()) {
    FrameHeader h = DecodeFrameHeader(bytes.substr(static_cast<size_t>(off)));
    if (ValidateFrameHeader(h, kMaxFrameSizeLimit, /*strict=*/true)) return d;
    if (!sender && h.type == kHeaders && h.stream_id % 2 == 1) {
      uint64_t body = off + kFrameHeaderSize;
      if (body < bytes.size()) {
        auto frag =
            HeaderBlockFragment(h, bytes.substr(static_cast<size_t>(body),
                                                std::min<uint64_t>(h.length, bytes.size() - body)));
        if (auto* f = std::get_if<std::string_view>(&frag)) sender = SenderFromHeaderBlock(*f);
      }
    }
    off += kFrameHeaderSize + h.length;
  }
  if (off != len) return d;
  return {Verdict::kYes, sender, Confidence::kLikely};
}

Detection DetectConnection(std::string_view a, uint64_t a_len, bool a_at_start, std::string_view b,
                           uint64_t b_len, bool b_at_start) {
  Detection da = DetectDirection(a, a_len, a_at_start);
  Detection db = DetectDirection(b, b_len, b_at_start);
  const bool a_preface = da.verdict == Verdict::kYes && da.confidence == Confidence::kCertain;
  const bool b_preface = db.verdict == Verdict::kYes && db.confidence == Confidence::kCertain;
  if (a_preface) return {Verdict::kYes, Sender::kClient, Confidence::kCertain};
  if (b_preface) return {Verdict::kYes, Sender::kServer, Confidence::kCertain};
  if (da.verdict == Verdict::kNo) return da;
  if (da.verdict == Verdict::kNeedMore) return da;
  // `a` is HTTP/2-like; the other side may tell (or confirm) the roles.
  if (!da.sender && db.verdict == Verdict::kYes && db.sender) {
    return {Verdict::kYes, Other(*db.sender), Confidence::kLikely};
  }
  return da;
}

}  // namespace hugin::http2
