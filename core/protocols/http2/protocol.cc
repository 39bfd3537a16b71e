#include "core/protocols/http2/protocol.h"

#include <algorithm>

#include "core/protocols/http2/connection.h"
#include "core/protocols/http2/detect.h"

namespace hugin::http2 {
namespace {

// One stream's record as the tracker's exchange. A stream seen from its first frame and ended
// by the server is an answered exchange; one that ended without an answer (reset, GOAWAY,
// close) is unanswered. Not reported, only counted: a stream that began before the first byte
// seen (a late attach, a gap: no start time), and one whose protocol could not be decoded
// (after a late attach no content-type decodes: HTTP/2 or gRPC would be a guess).
enum class Disposition { kSpan, kUnanswered, kNotReported };

Disposition DispositionOf(const Exchange& x) {
  if (x.req_start_ns == 0 || !x.protocol_known) return Disposition::kNotReported;
  // A reset after the answer ended (grpc-go resets with NO_ERROR a stream whose request the
  // client had not closed yet) does not undo the answer; a reset before it leaves none.
  const bool answered = x.response_ended || x.grpc_status.has_value();
  return answered ? Disposition::kSpan : Disposition::kUnanswered;
}

class Parser final : public protocols::ConnectionParser {
 public:
  Parser(bool streams_start_at_zero, const protocols::ParserLimits& limits)
      : conn_(OptionsFor(streams_start_at_zero, limits)) {}

  void OnData(protocols::Sender from, const protocols::Chunk& c) override {
    conn_.OnData(from, c);
  }
  void OnClose(uint64_t ts_ns, std::optional<uint64_t>) override { conn_.OnClose(ts_ns); }
  void TakeExchanges(std::vector<protocols::Exchange>& out) override {
    records_.clear();
    conn_.TakeExchanges(records_);
    for (Exchange& r : records_) {
      const Disposition d = DispositionOf(r);
      if (d == Disposition::kNotReported) {
        not_reported_++;
        continue;
      }
      protocols::Exchange x;
      x.protocol = r.protocol;
      x.answered = d == Disposition::kSpan;
      x.stream_id = r.stream_id;
      // Unknown fields stay empty: never guessed (the HPACK context may be incomplete).
      x.method = r.method.value_or("");
      x.path = r.path.value_or("");
      x.path.resize(std::min(x.path.size(), x.path.find_first_of("?#")));  // as HTTP/1: no query
      x.status = r.status.value_or(0);
      x.grpc_status = r.grpc_status;
      const bool grpc = std::string_view(r.protocol) == "grpc";
      // gRPC sizes are message bytes (length prefixes excluded), as gRPC libraries count them.
      x.request_body_bytes = grpc ? r.request_messages.bytes : r.request_data_bytes;
      x.response_body_bytes = grpc ? r.response_messages.bytes : r.response_data_bytes;
      x.req_start_ns = r.req_start_ns;
      x.req_arrival_ns = r.req_arrival_ns;
      x.req_end_ns = r.req_end_ns;
      x.resp_start_ns = r.resp_start_ns;
      x.resp_end_ns = r.resp_end_ns;
      x.estimated = !r.request_messages.known || !r.response_messages.known;
      out.push_back(std::move(x));
    }
  }
  protocols::ParserStats stats() const override {
    const Stats& s = conn_.stats();
    protocols::ParserStats p;
    p.parse_errors = s.frame_errors + s.hpack_errors;
    p.gaps = s.gaps;
    p.unreported = not_reported_;
    p.in_flight_evictions = s.stream_evictions;
    p.header_bytes_evictions = s.header_block_overflows;
    return p;
  }
  size_t pending() const override { return conn_.open_streams(); }
  bool DropOldestPending() override { return conn_.EvictOldestStream(); }

 private:
  static Options OptionsFor(bool streams_start_at_zero, const protocols::ParserLimits& limits) {
    Options o;
    o.streams_start_at_zero = streams_start_at_zero;
    o.max_streams = limits.max_in_flight;
    o.max_header_block_bytes = limits.max_header_bytes;
    return o;
  }
  Connection conn_;
  std::vector<Exchange> records_;
  uint64_t not_reported_ = 0;
};

std::unique_ptr<protocols::ConnectionParser> MakeParser(bool streams_start_at_zero,
                                                        const protocols::ParserLimits& limits) {
  return std::make_unique<Parser>(streams_start_at_zero, limits);
}

}  // namespace

protocols::Inference Infer(std::string_view bytes, uint64_t len, bool at_stream_start) {
  const Detection d = DetectDirection(bytes, len, at_stream_start);
  switch (d.verdict) {
    case Verdict::kNeedMore:
      return {protocols::Verdict::kMaybe, {}};
    case Verdict::kYes:
      if (d.confidence == Confidence::kNone) return {protocols::Verdict::kNo, {}};
      return {protocols::Verdict::kYes, d.sender};
    case Verdict::kNo:
      break;
  }
  return {protocols::Verdict::kNo, {}};
}

const protocols::ProtocolTraits kTraits = {"http2", &Infer, &MakeParser, HG_CAPTURE_FULL};

}  // namespace hugin::http2
