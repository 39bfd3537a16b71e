#include "core/protocols/http1/protocol.h"

#include "core/protocols/http1/parse.h"
#include "core/protocols/http1/stitcher.h"

namespace hugin::http1 {
namespace {

using protocols::Inference;
using protocols::Sender;
using protocols::Verdict;

class Parser final : public protocols::ConnectionParser {
 public:
  Parser(bool streams_start_at_zero, const protocols::ParserLimits& limits)
      : stitcher_(OptionsFor(streams_start_at_zero, limits)) {}

  void OnData(Sender from, const protocols::Chunk& c) override {
    if (from == Sender::kClient)
      stitcher_.AddRequestData(c);
    else
      stitcher_.AddResponseData(c);
  }
  void OnClose(uint64_t /*ts_ns*/, std::optional<uint64_t> client_stream_end) override {
    stitcher_.Close(client_stream_end);
  }
  void TakeExchanges(std::vector<protocols::Exchange>& out) override {
    stitcher_.TakeRecords(&records_);  // trades buffers: no allocation per record
    for (Record& r : records_) {
      protocols::Exchange x;
      x.protocol = "http";
      x.method = std::move(r.method);
      x.path = std::move(r.path);
      x.status = r.status;
      x.answered = r.status != 0;  // the stitcher gives unpaired requests status 0
      x.request_body_bytes = r.req_body_bytes;
      x.response_body_bytes = r.resp_body_bytes;
      x.req_start_ns = r.req_start_ns;
      x.req_arrival_ns = r.req_arrival_ns;
      x.req_end_ns = r.req_end_ns;
      x.resp_start_ns = r.resp_start_ns;
      x.resp_end_ns = r.resp_end_ns;
      x.estimated = r.estimated;
      out.push_back(std::move(x));
    }
    // A buffer of one record is let go: kept, it and the stitcher's would cost every idle
    // keep-alive connection ~0.3 KB; a busy one (pipelining) keeps trading its buffers.
    if (records_.size() <= 1) std::vector<Record>().swap(records_);
  }
  protocols::ParserStats stats() const override {
    const Stats& s = stitcher_.stats();
    protocols::ParserStats p;
    p.parse_errors = s.parse_errors;
    p.gaps = s.gaps;
    p.in_flight_evictions = s.pending_evictions;
    p.header_bytes_evictions = s.oversize_heads;
    return p;
  }
  size_t pending() const override { return stitcher_.pending_requests(); }
  bool DropOldestPending() override { return stitcher_.DropOldestAwaiting(); }

 private:
  static Options OptionsFor(bool streams_start_at_zero, const protocols::ParserLimits& limits) {
    Options o;
    o.streams_start_at_zero = streams_start_at_zero;
    o.max_pending_requests = limits.max_in_flight;
    o.max_head_bytes = limits.max_header_bytes;
    return o;
  }
  Stitcher stitcher_;
  std::vector<Record> records_;
};

std::unique_ptr<protocols::ConnectionParser> MakeParser(bool streams_start_at_zero,
                                                        const protocols::ParserLimits& limits) {
  return std::make_unique<Parser>(streams_start_at_zero, limits);
}

}  // namespace

Inference Infer(std::string_view bytes, uint64_t /*len*/, bool /*at_stream_start*/) {
  StartMatch req = MatchRequestStart(bytes);
  if (req == StartMatch::kYes) return {Verdict::kYes, Sender::kClient};
  StartMatch resp = MatchResponseStart(bytes);
  if (resp == StartMatch::kYes) return {Verdict::kYes, Sender::kServer};
  if (req == StartMatch::kMaybe || resp == StartMatch::kMaybe) return {Verdict::kMaybe, {}};
  return {Verdict::kNo, {}};
}

// Head-only capture: the first payload_bytes of each call hold the request and status lines
// and the headers the framing needs; bodies are counted from the syscall lengths.
const protocols::ProtocolTraits kTraits = {"http1", &Infer, &MakeParser, HG_CAPTURE_HEAD};

}  // namespace hugin::http1
