// Fuzz target: protocol inference as the connection tracker runs it (every protocol of the
// registry on a connection's first bytes of one direction), plus HTTP/2's two-direction
// detection.
//
// Input: byte 0 flags (bit 0: at stream start; bit 1: the call moved more bytes than were
// captured, len = size + 1 + byte 1 * 64), byte 1 (that length's step, and where the bytes
// split into two directions for DetectConnection), then the bytes.
//
// Checked: a sender comes only with a "yes"; inference is a pure function; and at a stream's
// start, when every protocol says "no" to a whole call's bytes, every protocol also says "no"
// once more bytes follow. The tracker switches capture off on that "no" and holds the bytes of
// a "maybe" to judge them with the next call (ConnTracker::Detect), so a "no" that more bytes
// would have turned into a "yes" loses a connection of a known protocol.
#include <algorithm>
#include <cstdint>
#include <string_view>

#include "core/protocols/http2/detect.h"
#include "core/protocols/registry.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using hugin::protocols::Inference;
using hugin::protocols::Verdict;

// What ConnTracker's InferAll concludes: kYes if any protocol says yes, else kMaybe if any
// says maybe, else kNo.
Verdict Combined(std::string_view bytes, uint64_t len, bool at_start) {
  Verdict v = Verdict::kNo;
  for (const hugin::protocols::ProtocolTraits* p : hugin::protocols::Registry()) {
    const Inference inf = p->infer(bytes, len, at_start);
    FUZZ_CHECK(inf.verdict == Verdict::kNo || inf.verdict == Verdict::kMaybe ||
               inf.verdict == Verdict::kYes);
    FUZZ_CHECK(inf.verdict == Verdict::kYes || !inf.sender.has_value());
    const Inference again = p->infer(bytes, len, at_start);
    FUZZ_CHECK(again.verdict == inf.verdict && again.sender == inf.sender);
    if (inf.verdict == Verdict::kYes) v = Verdict::kYes;
    if (inf.verdict == Verdict::kMaybe && v == Verdict::kNo) v = Verdict::kMaybe;
  }
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const bool at_start = data[0] & 1;
  const bool longer_call = data[0] & 2;
  const std::string_view bytes(reinterpret_cast<const char*>(data + 2), size - 2);
  const uint64_t len = bytes.size() + (longer_call ? 1 + uint64_t{data[1]} * 64 : 0);

  Combined(bytes, len, at_start);

  // Whole calls at a stream's start: a "no" on a prefix stays a "no" on longer bytes.
  const size_t longest = std::min<size_t>(bytes.size(), 64);
  bool said_no = false;
  for (size_t k = 1; k <= longest; ++k) {
    const Verdict v = Combined(bytes.substr(0, k), k, /*at_start=*/true);
    if (said_no) FUZZ_CHECK(v == Verdict::kNo);
    said_no = v == Verdict::kNo;
  }

  // Both directions' first chunks, split where byte 1 says.
  const size_t split = bytes.empty() ? 0 : data[1] % (bytes.size() + 1);
  const std::string_view a = bytes.substr(0, split), b = bytes.substr(split);
  const hugin::http2::Detection d =
      hugin::http2::DetectConnection(a, a.size(), at_start, b, b.size(), at_start);
  FUZZ_CHECK(d.verdict == hugin::http2::Verdict::kYes || !d.sender.has_value());
  return 0;
}
