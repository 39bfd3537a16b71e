// Fuzz target: the connection tracker fed raw ring buffer records, as the agent's ring buffer
// callback feeds it (decode, connection state, protocol inference, the chosen parser, spans).
//
// Input: records, each a 2-byte little-endian size and that many bytes (fewer at the end);
// tests/fuzz/make_seeds.cc writes recorded connections this way. After the last record every
// process seen is forgotten, as when it exits.
//
// Checked: every record is counted, decode errors are among them, every span reached the sink
// and counted, and no connection is left once its process is forgotten.
#include <cstdint>
#include <cstring>
#include <set>
#include <vector>

#include "core/conn/conn_tracker.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  uint64_t spans = 0, gaps = 0;
  hugin::ConnTracker::LossSinks sinks;
  sinks.gap = [&gaps](const hugin::StreamGap& g) {
    FUZZ_CHECK(g.bytes > 0);
    gaps++;
  };
  sinks.unpaired = [](const hugin::UnpairedRequest&) {};
  hugin::ConnTracker tracker(
      [&spans](hugin::Span&& s) {
        FUZZ_CHECK(s.protocol == "http" || s.protocol == "http2" || s.protocol == "grpc");
        FUZZ_CHECK(s.start_ns <= s.processing_start_ns);
        spans++;
      },
      [](uint32_t) { return std::string("svc"); }, 0, sinks);
  tracker.SetCapturePolicySink([](const hugin::events::ConnId&, hg_capture_mode mode, bool) {
    FUZZ_CHECK(mode == HG_CAPTURE_OFF || mode == HG_CAPTURE_HEAD || mode == HG_CAPTURE_FULL);
  });

  std::set<uint32_t> tgids;
  uint64_t records = 0;
  size_t off = 0;
  while (off < size) {
    size_t n = data[off];
    if (off + 1 < size) n |= static_cast<size_t>(data[off + 1]) << 8;
    off += 2;
    if (off > size) off = size;
    n = std::min(n, size - off);
    // Its own allocation of exactly n bytes, as a ring buffer record is bounded.
    std::vector<uint8_t> record(data + off, data + off + n);
    off += n;
    if (n >= sizeof(hg_header)) {
      hg_header h;
      std::memcpy(&h, record.data(), sizeof h);
      tgids.insert(h.conn.tgid);
    }
    tracker.OnRecord(record.data(), record.size());
    records++;
  }
  hugin::TrackerStats s = tracker.stats();
  FUZZ_CHECK(s.records == records);
  FUZZ_CHECK(s.decode_errors <= s.records);
  FUZZ_CHECK(s.spans == spans);
  for (uint32_t tgid : tgids) tracker.ForgetProcess(tgid);
  s = tracker.stats();
  FUZZ_CHECK(s.open_conns == 0);
  FUZZ_CHECK(s.spans == spans);
  return 0;
}
