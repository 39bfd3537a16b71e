#include "core/protocols/http1/message_stream.h"

#include <algorithm>

namespace hugin::http1 {
namespace {

constexpr size_t kMaxLineBytes = 4096;  // a chunk-size line with extensions, or a trailer line
constexpr size_t kKeptBufferCapacity = 4096;  // larger head buffers are released after use

void ReleaseIfLarge(std::string* s) {
  if (s->capacity() > kKeptBufferCapacity) {
    std::string().swap(*s);
  } else {
    s->clear();
  }
}

}  // namespace

MessageStream::MessageStream(MessageKind kind, const Options& options, MessageSink* sink,
                             Stats* stats)
    : kind_(kind), options_(options), sink_(sink), stats_(stats) {}

void MessageStream::Add(const DataChunk& c) {
  if (c.len == 0 || state_ == State::kPassthrough) {
    if (c.len != 0) next_pos_ = std::max(next_pos_, c.pos + c.len);
    return;
  }
  uint64_t len = c.len;
  std::string_view data = c.data.substr(0, std::min<size_t>(c.data.size(), len));
  if (!have_pos_ && options_.streams_start_at_zero) {
    have_pos_ = true;  // next_pos_ = 0: the usual gap and parse-error rules apply from here
  } else if (!have_pos_) {
    have_pos_ = true;
    next_pos_ = c.pos;
    // The first chunk seen of this direction. Past position 0, or not starting a message (the
    // tracker may count positions from when it first saw an already open connection), earlier
    // messages were missed: say so, and wait for a message start without calling it an error.
    // (Strict match: a message of a method outside the known list is missed this once.)
    bool starts_message = StartsMessage(data, len);
    if (state_ == State::kIdle && (c.pos != 0 || !starts_message)) {
      if (!starts_message) state_ = State::kResync;
      strict_start_ = true;
      sink_->OnLoss(false, true);
    }
  }
  if (c.pos < next_pos_) {
    // A retransmitted or overlapping event: only the part past next_pos_ is new.
    stats_->overlaps++;
    uint64_t seen = next_pos_ - c.pos;
    if (seen >= len) return;
    data = seen < data.size() ? data.substr(seen) : std::string_view();
    len -= seen;
  } else if (c.pos > next_pos_) {
    OnPositionGap(c.pos - next_pos_);
  }
  next_pos_ = std::max(next_pos_, c.pos) + len;
  Process(c, len, data);
}

void MessageStream::Close() {
  switch (state_) {
    case State::kUntilClose:
    case State::kGuessEnd:
      Complete(last_ns_);
      break;
    case State::kIdle:
    case State::kResync:
    case State::kPassthrough:
      break;
    default:
      Lose(false);  // a partial message: its end will never be seen
      break;
  }
  state_ = State::kPassthrough;  // nothing after a close is parsed
}

void MessageStream::Process(const DataChunk& c, uint64_t len, std::string_view data) {
  uint64_t off = 0;
  while (off < len) {
    bool keep_going = true;
    switch (state_) {
      case State::kPassthrough:
        return;
      case State::kResync:
        if (off == 0 && StartsMessage(data, len)) {
          stats_->resyncs++;
          state_ = State::kIdle;
          strict_start_ = true;
          continue;
        }
        return;
      case State::kIdle:
        keep_going = StepIdle(c, len, data, &off);
        break;
      case State::kHead:
        keep_going = StepHead(c, len, data, &off);
        break;
      case State::kBodyLength:
      case State::kChunkData: {
        if (off == 0 && sloppy_body_ && StartsMessage(data, len)) {
          // The body was framed without knowing the request (it may have been HEAD): a message
          // start at a syscall boundary is more likely the next response than body bytes.
          EndSloppyBody();
          continue;
        }
        uint64_t n = std::min(remaining_, len - off);
        off += n;
        remaining_ -= n;
        body_bytes_ += n;
        last_ns_ = c.ts_ns;
        if (remaining_ == 0) {
          if (state_ == State::kBodyLength) {
            Complete(c.ts_ns);
          } else {
            state_ = State::kChunkCrlf;
            crlf_seen_ = 0;
          }
        }
        break;
      }
      case State::kChunkSize:
      case State::kTrailers:
        keep_going = StepLine(c, len, data, &off);
        break;
      case State::kChunkCrlf:
        keep_going = StepChunkCrlf(c, len, data, &off);
        break;
      case State::kUntilClose:
        if (off == 0 && sloppy_body_ && StartsMessage(data, len)) {
          EndSloppyBody();
          continue;
        }
        body_bytes_ += len - off;
        off = len;
        last_ns_ = c.ts_ns;
        break;
      case State::kGuessEnd:
        keep_going = StepGuessEnd(c, len, data, &off);
        break;
    }
    if (!keep_going) return;
  }
}

void MessageStream::OnPositionGap(uint64_t missing) {
  stats_->gaps++;
  if (sloppy_body_) {  // the framing was a guess: lost bytes cannot be assumed to be body
    Lose(true);
    return;
  }
  switch (state_) {
    case State::kBodyLength:
      if (missing < remaining_) {  // the lost bytes were body bytes: nothing needed was lost
        remaining_ -= missing;
        body_bytes_ += missing;
        return;
      }
      if (missing == remaining_) {
        // The body ended exactly where the new chunk starts, so the stream stays in sync, but
        // the body's end time was in the lost events: give up this one message only.
        Lose(false);
        state_ = State::kIdle;
        return;
      }
      Lose(true);
      return;
    case State::kChunkData:
      if (missing < remaining_) {
        remaining_ -= missing;
        body_bytes_ += missing;
        return;
      }
      Lose(true);
      return;
    case State::kUntilClose:
      body_bytes_ += missing;
      return;
    case State::kGuessEnd:
      guess_uncertain_ = true;
      body_bytes_ += missing;
      return;
    case State::kResync:
    case State::kPassthrough:
      return;
    default:  // between messages, or inside a head or chunked framing
      Lose(true);
      return;
  }
}

bool MessageStream::StepIdle(const DataChunk& c, uint64_t len, std::string_view data,
                             uint64_t* off) {
  if (*off >= data.size()) {
    // The next message starts in bytes that were not captured.
    stats_->gaps++;
    Lose(true);
    return false;
  }
  // Stray line ends between messages are tolerated (RFC 9112 2.2).
  while (*off < data.size() && (data[*off] == '\r' || data[*off] == '\n')) ++*off;
  if (*off >= data.size()) return true;
  state_ = State::kHead;
  head_reported_ = false;
  head_start_checked_ = false;
  sloppy_body_ = false;
  estimated_ = false;
  guess_uncertain_ = false;
  body_bytes_ = 0;
  msg_start_ns_ = c.ts_ns;
  msg_arrival_ns_ = c.arrival_ns != 0 ? c.arrival_ns : c.ts_ns;
  (void)len;
  return true;
}

bool MessageStream::StepHead(const DataChunk& c, uint64_t len, std::string_view data,
                             uint64_t* off) {
  if (*off >= data.size()) {
    // The head goes on into bytes that were not captured: its framing cannot be known.
    if (!EstimateTruncatedHead(c, len, *off)) {
      stats_->gaps++;
      Lose(true);
    }
    return false;
  }
  std::string_view avail = data.substr(*off);
  const size_t limit = options_.max_head_bytes;
  const size_t old = head_buf_.size();
  if (old > 0) head_buf_.append(avail.substr(0, limit + 1 > old ? limit + 1 - old : 0));
  std::string_view bytes = old > 0 ? std::string_view(head_buf_) : avail;

  if (!head_start_checked_) {
    // After a resync the start was accepted on a short prefix: hold the head to the strict test.
    StartMatch m = !strict_start_                  ? MatchLooseStart(kind_, bytes.substr(0, 64))
                   : kind_ == MessageKind::kRequest ? MatchRequestStart(bytes)
                                                    : MatchResponseStart(bytes);
    if (m == StartMatch::kNo) {
      ParseError();
      return false;
    }
    head_start_checked_ = (m == StartMatch::kYes);
  }
  size_t end = FindHeadEnd(bytes, old >= 2 ? old - 2 : 0);
  if (end > 0) {
    if (end > limit) {
      stats_->oversize_heads++;
      ParseError();
      return false;
    }
    *off += end - old;
    bool ok = HandleHead(bytes.substr(0, end), c);
    ReleaseIfLarge(&head_buf_);
    return ok;
  }
  if (old == 0) head_buf_.assign(avail.substr(0, limit + 1));
  if (head_buf_.size() > limit) {
    stats_->oversize_heads++;  // a head that never ends (slow sender, garbage): dropped
    ParseError();
    return false;
  }
  *off = data.size();
  return true;
}

bool MessageStream::HandleHead(std::string_view head, const DataChunk& c) {
  MessageHead parsed;
  bool ok = kind_ == MessageKind::kRequest ? ParseRequestHead(head, &parsed)
                                           : ParseResponseHead(head, &parsed);
  strict_start_ = false;
  if (!ok) {
    ParseError();
    return false;
  }
  RequestContext ctx = sink_->OnHead(parsed, msg_start_ns_, msg_arrival_ns_);
  head_reported_ = true;
  last_ns_ = c.ts_ns;
  std::optional<BodyFraming> framing = kind_ == MessageKind::kRequest
                                           ? RequestBodyFraming(parsed)
                                           : ResponseBodyFraming(parsed, ctx);
  if (!framing) {
    ParseError();  // bad Content-Length, unusable Transfer-Encoding
    return false;
  }
  sloppy_body_ = ctx.unknown_request;
  switch (framing->kind) {
    case BodyKind::kNone:
      Complete(c.ts_ns);
      break;
    case BodyKind::kLength:
      remaining_ = framing->length;
      state_ = State::kBodyLength;
      break;
    case BodyKind::kChunked:
      line_buf_.clear();
      state_ = State::kChunkSize;
      break;
    case BodyKind::kUntilClose:
      state_ = State::kUntilClose;
      break;
    case BodyKind::kTunnel:
      Complete(c.ts_ns);
      state_ = State::kPassthrough;
      break;
  }
  return true;
}

bool MessageStream::StepLine(const DataChunk& c, uint64_t len, std::string_view data,
                             uint64_t* off) {
  if (*off >= data.size()) {
    TruncatedFraming(c, len, *off);
    return false;
  }
  std::string_view avail = data.substr(*off);
  size_t nl = avail.find('\n');
  size_t take = nl == std::string_view::npos ? avail.size() : nl;
  if (line_buf_.size() + take > kMaxLineBytes) {
    stats_->oversize_heads++;  // a chunk-size or trailer line that never ends
    ParseError();
    return false;
  }
  last_ns_ = c.ts_ns;
  if (nl == std::string_view::npos) {
    line_buf_.append(avail);
    *off = data.size();
    return true;
  }
  std::string_view line = avail.substr(0, nl);
  if (!line_buf_.empty()) {
    line_buf_.append(line);
    line = line_buf_;
  }
  *off += nl + 1;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  bool ok = HandleLine(line, c);
  line_buf_.clear();
  return ok;
}

bool MessageStream::HandleLine(std::string_view line, const DataChunk& c) {
  if (state_ == State::kChunkSize) {
    uint64_t size = 0;
    if (!ParseChunkSizeLine(line, &size)) {
      ParseError();
      return false;
    }
    if (size == 0) {
      trailer_bytes_ = 0;
      state_ = State::kTrailers;
    } else {
      remaining_ = size;
      state_ = State::kChunkData;
    }
    return true;
  }
  if (line.empty()) {  // end of the trailer section: the message is complete
    Complete(c.ts_ns);
    return true;
  }
  trailer_bytes_ += line.size();
  size_t colon = line.find(':');
  if (trailer_bytes_ > options_.max_head_bytes) stats_->oversize_heads++;
  if (trailer_bytes_ > options_.max_head_bytes || colon == 0 || colon == std::string_view::npos) {
    ParseError();
    return false;
  }
  return true;
}

bool MessageStream::StepChunkCrlf(const DataChunk& c, uint64_t len, std::string_view data,
                                  uint64_t* off) {
  last_ns_ = c.ts_ns;
  while (crlf_seen_ < 2 && *off < len) {
    if (*off >= data.size()) {
      // Not captured: assume the CRLF; a wrong guess shows up at the next chunk-size line.
      uint64_t n = std::min<uint64_t>(2 - crlf_seen_, len - *off);
      *off += n;
      crlf_seen_ += static_cast<uint32_t>(n);
      continue;
    }
    char ch = data[*off];
    if (ch == '\r' && crlf_seen_ == 0) {
      crlf_seen_ = 1;
    } else if (ch == '\n') {
      crlf_seen_ = 2;
    } else {
      ParseError();
      return false;
    }
    ++*off;
  }
  if (crlf_seen_ == 2) state_ = State::kChunkSize;
  return true;
}

bool MessageStream::StepGuessEnd(const DataChunk& c, uint64_t len, std::string_view data,
                                 uint64_t* off) {
  if (*off == 0 && StartsMessage(data, len)) {
    bool uncertain = guess_uncertain_;
    Complete(last_ns_);
    // Chunks in between did not start messages: some messages may have been swallowed.
    if (uncertain) sink_->OnLoss(false, true);
    return true;
  }
  guess_uncertain_ = true;
  body_bytes_ += len - *off;
  *off = len;
  last_ns_ = c.ts_ns;
  return true;
}

bool MessageStream::EstimateTruncatedHead(const DataChunk& c, uint64_t len, uint64_t off) {
  size_t nl = head_buf_.find('\n');
  if (!options_.estimate_truncated_ends || nl == std::string::npos) return false;
  // Only the first line is trusted; its framing headers may be among the hidden bytes.
  std::string first_line = head_buf_.substr(0, nl + 1) + "\r\n";
  MessageHead parsed;
  bool ok = kind_ == MessageKind::kRequest ? ParseRequestHead(first_line, &parsed)
                                           : ParseResponseHead(first_line, &parsed);
  // An interim 1xx is followed by the final response in the same stream: no guessing there.
  if (!ok || (parsed.status >= 100 && parsed.status < 200)) return false;
  strict_start_ = false;
  sink_->OnHead(parsed, msg_start_ns_, msg_arrival_ns_);
  head_reported_ = true;
  ReleaseIfLarge(&head_buf_);
  body_bytes_ = 0;
  TruncatedFraming(c, len, off);
  return true;
}

void MessageStream::TruncatedFraming(const DataChunk& c, uint64_t len, uint64_t off) {
  stats_->gaps++;
  if (!options_.estimate_truncated_ends) {
    Lose(true);
    return;
  }
  state_ = State::kGuessEnd;
  estimated_ = true;
  guess_uncertain_ = false;
  body_bytes_ += len - off;  // upper bound: includes framing bytes
  last_ns_ = c.ts_ns;
}

bool MessageStream::StartsMessage(std::string_view data, uint64_t len) const {
  StartMatch m = kind_ == MessageKind::kRequest ? MatchRequestStart(data) : MatchResponseStart(data);
  if (m == StartMatch::kYes) return true;
  // A short chunk captured whole may be the first bytes of a head split across syscalls.
  return m == StartMatch::kMaybe && !data.empty() && data.size() == len;
}

void MessageStream::Complete(uint64_t end_ns) {
  bool estimated = estimated_;
  uint64_t body = body_bytes_;
  state_ = State::kIdle;
  head_reported_ = false;
  estimated_ = false;
  guess_uncertain_ = false;
  sloppy_body_ = false;
  sink_->OnComplete(body, end_ns, estimated);
}

void MessageStream::EndSloppyBody() {
  stats_->resyncs++;
  Complete(last_ns_);
  // Whatever lay between was not understood: messages may have been in it.
  sink_->OnLoss(false, true);
}

void MessageStream::ParseError() {
  stats_->parse_errors++;
  Lose(true);
}

void MessageStream::Lose(bool more_lost) {
  bool had_head = head_reported_;
  if (state_ != State::kIdle && state_ != State::kResync) stats_->dropped_messages++;
  head_reported_ = false;
  sloppy_body_ = false;
  estimated_ = false;
  ReleaseIfLarge(&head_buf_);
  line_buf_.clear();
  state_ = State::kResync;
  sink_->OnLoss(had_head, more_lost);
}

}  // namespace hugin::http1
