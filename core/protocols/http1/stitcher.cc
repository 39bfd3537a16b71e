#include "core/protocols/http1/stitcher.h"

#include <deque>
#include <memory>
#include <optional>
#include <utility>

#include "core/protocols/http1/message_stream.h"
#include "core/protocols/http1/parse.h"

namespace hugin::http1 {
namespace {

// A queue that holds no memory while empty: libstdc++'s std::deque allocates a map and a
// 512-byte block even when empty, and most keep-alive connections sit idle with nothing in
// flight (measured: ~0.6 KB of the agent's ~1.6 KB per idle HTTP/1.1 connection).
template <typename T>
class LazyQueue {
 public:
  size_t size() const { return q_ ? q_->size() : 0; }
  T& emplace_back() {
    if (!q_) q_ = std::make_unique<std::deque<T>>();
    return q_->emplace_back();
  }
  T& back() { return q_->back(); }
  T& front() { return q_->front(); }
  void pop_front() {
    q_->pop_front();
    if (q_->empty()) q_.reset();
  }
  T& operator[](size_t i) { return (*q_)[i]; }

 private:
  std::unique_ptr<std::deque<T>> q_;
};

}  // namespace

class Stitcher::Impl {
 public:
  explicit Impl(const Options& options)
      : options_(options),
        requests_(this),
        responses_(this),
        req_stream_(MessageKind::kRequest, options_, &requests_, &stats_),
        resp_stream_(MessageKind::kResponse, options_, &responses_, &stats_) {}

  void AddRequestData(const DataChunk& c) { req_stream_.Add(c); }
  void AddResponseData(const DataChunk& c) { resp_stream_.Add(c); }
  void Close(std::optional<uint64_t> request_stream_end);
  std::vector<Record> TakeRecords() { return std::exchange(ready_, {}); }
  void TakeRecords(std::vector<Record>* out) {
    out->clear();
    out->swap(ready_);
  }
  const Stats& stats() const { return stats_; }
  size_t pending_requests() const { return entries_.size(); }
  bool DropOldestAwaiting();

 private:
  // One request in the order they were sent, or a hole standing for lost requests.
  struct Entry {
    Record rec;
    bool hole = false;     // an unknown number (>= 0) of lost requests; never emitted
    bool dropped = false;  // a request given up part way; still owns its response; never emitted
    bool matched = false;  // a response was paired with it, or it was closed without one
    // Paired by time after lost responses: confirmed by the next request event, revoked if
    // that event reveals lost requests (the response may have been one of theirs).
    bool tentative = false;
    bool revoked = false;  // a tentative pairing undone: the record claims no response
    bool req_done = false;
    bool resp_done = false;
  };

  class RequestSide : public MessageSink {
   public:
    explicit RequestSide(Impl* s) : s_(s) {}
    RequestContext OnHead(const MessageHead& head, uint64_t start_ns, uint64_t arrival_ns) override;
    void OnComplete(uint64_t body_bytes, uint64_t end_ns, bool estimated) override;
    void OnLoss(bool had_head, bool more_lost) override;

   private:
    Impl* s_;
  };

  class ResponseSide : public MessageSink {
   public:
    explicit ResponseSide(Impl* s) : s_(s) {}
    RequestContext OnHead(const MessageHead& head, uint64_t start_ns, uint64_t arrival_ns) override;
    void OnComplete(uint64_t body_bytes, uint64_t end_ns, bool estimated) override;
    void OnLoss(bool had_head, bool more_lost) override;

   private:
    Impl* s_;
  };

  Entry* Find(std::optional<uint64_t> seq);
  uint64_t SeqOf(size_t index) const { return front_seq_ + index; }
  void PushHole();
  void ConfirmTentative();
  void RevokeTentative();
  void CloseWithoutResponse(size_t index);
  std::optional<uint64_t> Match(uint64_t resp_start_ns);
  void EnforcePendingCap();
  // Gives up the oldest request awaiting its response (status 0). Without losses FIFO still
  // holds: its response, when it comes, is skipped (responses_owed_); after a hole it cannot
  // be told apart, and responses are paired by time.
  void GiveUpOldestAwaiting();
  void Emit();

  const Options options_;
  Stats stats_;
  RequestSide requests_;
  ResponseSide responses_;
  MessageStream req_stream_;
  MessageStream resp_stream_;

  LazyQueue<Entry> entries_;
  size_t matched_count_ = 0;  // entries_[0, matched_count_) are matched; the rest await a response
  uint64_t front_seq_ = 0;    // sequence number of entries_.front()
  std::optional<uint64_t> cur_req_;   // entry of the request being parsed
  std::optional<uint64_t> cur_resp_;  // entry paired with the response being parsed
  int cur_resp_status_ = 0;
  bool cur_resp_interim_ = false;     // the response being parsed is a 1xx other than 101
  bool responses_lost_ = false;       // pair the next response by time, not FIFO
  size_t responses_owed_ = 0;         // responses of given-up requests still to come: skipped
  bool closed_ = false;
  std::vector<Record> ready_;
};

// ---- request side ----

RequestContext Stitcher::Impl::RequestSide::OnHead(const MessageHead& head, uint64_t start_ns,
                                                   uint64_t arrival_ns) {
  s_->stats_.requests++;
  s_->ConfirmTentative();  // no request was lost before this one
  Entry& e = s_->entries_.emplace_back();
  e.rec.method = head.method;
  e.rec.path = head.path;
  e.rec.req_start_ns = start_ns;
  e.rec.req_arrival_ns = arrival_ns;
  s_->cur_req_ = s_->SeqOf(s_->entries_.size() - 1);
  s_->EnforcePendingCap();
  return {};
}

void Stitcher::Impl::RequestSide::OnComplete(uint64_t body_bytes, uint64_t end_ns,
                                             bool estimated) {
  if (Entry* e = s_->Find(s_->cur_req_)) {
    e->rec.req_body_bytes = body_bytes;
    e->rec.req_end_ns = end_ns;
    e->rec.estimated |= estimated;
    e->req_done = true;
  }
  s_->cur_req_.reset();
  s_->Emit();
}

void Stitcher::Impl::RequestSide::OnLoss(bool had_head, bool more_lost) {
  if (Entry* e = had_head ? s_->Find(s_->cur_req_) : nullptr) {
    e->dropped = true;
    e->req_done = true;
  }
  s_->cur_req_.reset();
  if (more_lost) {
    s_->RevokeTentative();
    s_->PushHole();
  }
  s_->Emit();
}

// ---- response side ----

RequestContext Stitcher::Impl::ResponseSide::OnHead(const MessageHead& head, uint64_t start_ns,
                                                    uint64_t /*arrival_ns*/) {
  s_->cur_resp_.reset();
  s_->cur_resp_status_ = head.status;
  s_->cur_resp_interim_ = head.status < 200 && head.status != 101;
  if (s_->cur_resp_interim_) return {};  // 100 Continue etc.: the final response follows
  s_->stats_.responses++;
  s_->cur_resp_ = s_->Match(start_ns);
  Entry* e = s_->Find(s_->cur_resp_);
  if (e == nullptr) {
    s_->stats_.unmatched_responses++;
    RequestContext ctx;
    ctx.unknown_request = true;
    return ctx;
  }
  e->rec.status = head.status;
  e->rec.resp_start_ns = start_ns;
  RequestContext ctx;
  ctx.is_head = e->rec.method == "HEAD";
  ctx.is_connect = e->rec.method == "CONNECT";
  return ctx;
}

void Stitcher::Impl::ResponseSide::OnComplete(uint64_t body_bytes, uint64_t end_ns,
                                              bool estimated) {
  if (s_->cur_resp_interim_) {
    s_->cur_resp_interim_ = false;
    return;
  }
  bool tunnel = s_->cur_resp_status_ == 101;
  Entry* e = s_->Find(s_->cur_resp_);
  if (e != nullptr && e->revoked) {
    e->resp_done = true;
  } else if (e != nullptr) {
    e->rec.resp_body_bytes = body_bytes;
    e->rec.resp_end_ns = end_ns;
    e->rec.estimated |= estimated;
    e->resp_done = true;
    tunnel = tunnel || (e->rec.method == "CONNECT" && e->rec.status / 100 == 2);
  }
  // After a protocol switch the request direction carries another protocol too.
  if (tunnel) s_->req_stream_.EnterPassthrough();
  s_->cur_resp_.reset();
  s_->Emit();
}

void Stitcher::Impl::ResponseSide::OnLoss(bool had_head, bool more_lost) {
  Entry* e = had_head && !s_->cur_resp_interim_ ? s_->Find(s_->cur_resp_) : nullptr;
  if (e != nullptr) {
    // Its response was seen only in part: report it as having none rather than guess.
    e->rec.status = 0;
    e->rec.resp_start_ns = 0;
    e->tentative = false;
    e->resp_done = true;
  }
  s_->cur_resp_.reset();
  s_->cur_resp_interim_ = false;
  if (more_lost) {
    s_->responses_lost_ = true;
    s_->responses_owed_ = 0;  // they may have been in the lost bytes: pairing by time now
  }
  s_->Emit();
}

// ---- pairing ----

Stitcher::Impl::Entry* Stitcher::Impl::Find(std::optional<uint64_t> seq) {
  if (!seq || *seq < front_seq_ || *seq - front_seq_ >= entries_.size()) return nullptr;
  return &entries_[*seq - front_seq_];
}

void Stitcher::Impl::PushHole() {
  if (entries_.size() > matched_count_ && entries_.back().hole) return;  // merge adjacent holes
  Entry& e = entries_.emplace_back();
  e.hole = true;
  e.req_done = true;
  EnforcePendingCap();
}

void Stitcher::Impl::ConfirmTentative() {
  bool any = false;
  for (size_t i = 0; i < matched_count_; ++i) {
    any |= entries_[i].tentative;
    entries_[i].tentative = false;
  }
  if (any) Emit();
}

void Stitcher::Impl::RevokeTentative() {
  for (size_t i = 0; i < matched_count_; ++i) {
    Entry& e = entries_[i];
    if (!e.tentative) continue;
    e.tentative = false;
    e.revoked = true;
    e.rec.status = 0;
    e.rec.resp_start_ns = e.rec.resp_end_ns = e.rec.resp_body_bytes = 0;
    stats_.unmatched_responses++;
  }
}

void Stitcher::Impl::CloseWithoutResponse(size_t index) {
  Entry& e = entries_[index];
  e.matched = true;
  e.resp_done = true;
  e.rec.status = 0;
}

std::optional<uint64_t> Stitcher::Impl::Match(uint64_t resp_start_ns) {
  if (responses_owed_ > 0 && !responses_lost_) {
    --responses_owed_;  // the answer of a request given up at the in-flight bound
    return std::nullopt;
  }
  const size_t first = matched_count_;
  std::optional<size_t> pick;
  const bool by_time = responses_lost_;
  if (responses_lost_) {
    responses_lost_ = false;
    // Responses were lost: this one answers the newest request sent before it started; the
    // older waiting requests had their responses in the lost bytes.
    for (size_t i = first; i < entries_.size(); ++i) {
      if (!entries_[i].hole && entries_[i].rec.req_start_ns <= resp_start_ns) pick = i;
    }
    if (pick && *pick + 1 < entries_.size() && entries_[*pick + 1].hole) {
      // Requests were lost right after the pick, at unknown times: this response may be one of
      // theirs. Either way the pick's own response is not coming any more.
      for (size_t i = first; i <= *pick; ++i) CloseWithoutResponse(i);
      matched_count_ = *pick + 1;
      return std::nullopt;
    }
  } else {
    size_t i = first;
    while (i < entries_.size() && entries_[i].hole) ++i;
    // Past a hole, the response may answer a lost request: it must not predate the next one.
    if (i < entries_.size() && (i == first || entries_[i].rec.req_start_ns <= resp_start_ns)) {
      pick = i;
    }
  }
  if (!pick) return std::nullopt;
  for (size_t i = first; i < *pick; ++i) CloseWithoutResponse(i);
  entries_[*pick].tentative = by_time;
  entries_[*pick].matched = true;
  matched_count_ = *pick + 1;
  return SeqOf(*pick);
}

void Stitcher::Impl::EnforcePendingCap() {
  while (entries_.size() - matched_count_ > options_.max_pending_requests) {
    stats_.pending_evictions++;
    GiveUpOldestAwaiting();
  }
  Emit();
}

void Stitcher::Impl::GiveUpOldestAwaiting() {
  const bool hole = entries_[matched_count_].hole;
  CloseWithoutResponse(matched_count_++);
  if (hole || responses_lost_) {
    responses_lost_ = true;
    responses_owed_ = 0;
  } else {
    ++responses_owed_;
  }
}

bool Stitcher::Impl::DropOldestAwaiting() {
  if (matched_count_ == entries_.size()) return false;
  GiveUpOldestAwaiting();
  Emit();
  return true;
}

void Stitcher::Impl::Emit() {
  while (matched_count_ > 0) {
    Entry& e = entries_.front();
    if (!e.req_done || !e.resp_done || e.tentative) break;
    if (!e.hole && !e.dropped) ready_.push_back(std::move(e.rec));
    entries_.pop_front();
    ++front_seq_;
    --matched_count_;
  }
}

void Stitcher::Impl::Close(std::optional<uint64_t> request_stream_end) {
  if (closed_) return;
  closed_ = true;
  // Requests lost just before the close would go unnoticed, unless the kernel's final byte
  // count shows the request stream was seen to its end, in sync, every request parsed: only
  // then does a pairing by time stand.
  const bool requests_all_seen = request_stream_end && req_stream_.at_boundary() &&
                                 req_stream_.next_pos() == *request_stream_end;
  req_stream_.Close();
  resp_stream_.Close();
  if (requests_all_seen) {
    ConfirmTentative();
  } else {
    RevokeTentative();
  }
  for (size_t i = matched_count_; i < entries_.size(); ++i) CloseWithoutResponse(i);
  matched_count_ = entries_.size();
  for (size_t i = 0; i < entries_.size(); ++i) {  // nothing more will arrive for anything open
    Entry& e = entries_[i];
    if (!e.req_done) e.dropped = e.req_done = true;
    if (!e.resp_done) {
      e.resp_done = true;
      e.rec.status = 0;
    }
  }
  Emit();
}

// ---- public face ----

Stitcher::Stitcher() : Stitcher(Options{}) {}
Stitcher::Stitcher(const Options& options) : impl_(std::make_unique<Impl>(options)) {}
Stitcher::~Stitcher() = default;
Stitcher::Stitcher(Stitcher&&) noexcept = default;
Stitcher& Stitcher::operator=(Stitcher&&) noexcept = default;

void Stitcher::AddRequestData(const DataChunk& c) { impl_->AddRequestData(c); }
void Stitcher::AddResponseData(const DataChunk& c) { impl_->AddResponseData(c); }
void Stitcher::Close(std::optional<uint64_t> request_stream_end) {
  impl_->Close(request_stream_end);
}
std::vector<Record> Stitcher::TakeRecords() { return impl_->TakeRecords(); }
void Stitcher::TakeRecords(std::vector<Record>* out) { impl_->TakeRecords(out); }
const Stats& Stitcher::stats() const { return impl_->stats(); }
size_t Stitcher::pending_requests() const { return impl_->pending_requests(); }
bool Stitcher::DropOldestAwaiting() { return impl_->DropOldestAwaiting(); }

bool Stitcher::LooksLikeRequest(std::string_view first_bytes) {
  return MatchRequestStart(first_bytes) == StartMatch::kYes;
}
bool Stitcher::LooksLikeResponse(std::string_view first_bytes) {
  return MatchResponseStart(first_bytes) == StartMatch::kYes;
}

}  // namespace hugin::http1
