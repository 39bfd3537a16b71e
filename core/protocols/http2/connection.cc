#include "core/protocols/http2/connection.h"

#include <algorithm>

namespace hugin::http2 {
namespace {

constexpr size_t kRecentlyClosed = 64;

Sender Other(Sender s) { return s == Sender::kClient ? Sender::kServer : Sender::kClient; }

// Whether a direction's first chunk starts at a frame boundary (or at the client preface), so
// its HPACK context can be followed from an empty table.
bool StartsAtBoundary(Sender from, const Chunk& c, const Options& o) {
  if (c.pos == 0 && o.streams_start_at_zero) return true;
  return from == Sender::kClient && c.data.starts_with(kClientPreface);
}

}  // namespace

Connection::Connection(const Options& options)
    : options_(options),
      client_(Sender::kClient, options_, this, &stats_),
      server_(Sender::kServer, options_, this, &stats_),
      recently_closed_(kRecentlyClosed, 0) {}

Connection::~Connection() = default;

void Connection::OnData(Sender from, const Chunk& chunk) {
  if (closed_) return;
  Direction& d = dir(from);
  if (!d.seen) {
    d.seen = true;
    if (!StartsAtBoundary(from, chunk, options_)) d.hpack.StartTolerant();
  }
  d.reader.Add(chunk);
}

void Connection::OnGap(Sender from, uint64_t lost_bytes) {
  if (!closed_) dir(from).reader.Lose(lost_bytes);
}

void Connection::OnClose(uint64_t ts_ns) {
  if (closed_) return;
  closed_ = true;
  (void)ts_ns;  // record times are those of the chunks holding the bytes
  while (!streams_.empty()) Emit(streams_.begin()->first);
}

void Connection::TakeExchanges(std::vector<Exchange>& out) {
  for (Exchange& e : done_) out.push_back(std::move(e));
  done_.clear();
}

void Connection::OnFrame(Sender from, const FrameHeader& h, std::string_view payload,
                         bool payload_lost, const FrameTimes& t) {
  Direction& d = dir(from);
  if (d.block.open && (h.type != kContinuation || h.stream_id != d.block.stream_id)) {
    // RFC 9113 6.10: nothing may interleave with a header block. Its bytes are abandoned.
    ++stats_.frame_errors;
    d.block.lost = true;
    FinishBlock(from);
  }
  switch (h.type) {
    case kHeaders:
    case kPushPromise:
    case kContinuation:
      OnHeaderFragment(from, h, payload, payload_lost, t);
      break;
    case kRstStream:
      if (!payload_lost) OnRstStream(from, h.stream_id, ReadU32(payload));
      break;
    case kSettings:
      if (!payload_lost && !(h.flags & kFlagAck)) OnSettings(from, payload);
      break;
    case kGoaway:
      if (!payload_lost) OnGoaway(from, ReadU32(payload) & 0x7fffffffu);
      break;
    case kPriority:
    case kPing:
    case kWindowUpdate:
      break;
    default:
      ++stats_.unknown_frame_types;  // skipped by its length (RFC 9113 4.1: must be ignored)
  }
}

void Connection::OnHeaderFragment(Sender from, const FrameHeader& h, std::string_view payload,
                                  bool payload_lost, const FrameTimes& t) {
  Direction& d = dir(from);
  OpenBlock& b = d.block;
  if (h.type == kContinuation) {
    if (!b.open) {  // its HEADERS was lost (counted then) or never existed
      ++stats_.ignored_frames;
      return;
    }
  } else {
    ++stats_.header_blocks;
    b = OpenBlock();
    b.open = true;
    b.type = h.type;
    b.stream_id = h.stream_id;
    b.end_stream = h.type == kHeaders && (h.flags & kFlagEndStream);
    b.times = t;
  }
  b.times.end_ns = t.end_ns;
  if (payload_lost) {
    b.lost = true;
  } else if (!b.lost) {
    std::string_view fragment = payload;
    if (h.type != kContinuation) {
      auto f = HeaderBlockFragment(h, payload);
      if (std::holds_alternative<FrameError>(f)) {
        ++stats_.frame_errors;
        b.lost = true;
      } else {
        fragment = std::get<std::string_view>(f);
      }
    }
    if (!b.lost && b.bytes.size() + fragment.size() > options_.max_header_block_bytes) {
      ++stats_.header_block_overflows;
      b.lost = true;
    }
    if (!b.lost) b.bytes.append(fragment);
  }
  if (b.lost) b.bytes.clear();
  if (h.flags & kFlagEndHeaders) FinishBlock(from);
}

void Connection::FinishBlock(Sender from) {
  Direction& d = dir(from);
  OpenBlock b = std::move(d.block);
  d.block = OpenBlock();
  DecodedBlock decoded;
  if (b.lost) {
    d.hpack.Desync();  // insertions in the lost bytes are unknown from now on
    decoded.failed = true;
  } else {
    decoded = d.hpack.Decode(b.bytes);
  }
  if (b.type == kPushPromise) return;  // decoded only to keep the HPACK context
  const bool new_stream = Find(b.stream_id) == nullptr;
  StreamState* st = GetOrCreate(b.stream_id);
  if (!st) return;
  if (new_stream && from == Sender::kClient) st->opened_by_request = true;
  st->Touch(from, b.times.start_ns, b.times.start_arrival_ns, b.times.end_ns);
  st->ApplyHeaderBlock(from, decoded, b.end_stream);
  MaybeComplete(b.stream_id);
}

void Connection::OnSettings(Sender from, std::string_view payload) {
  // The sender's limits apply to what the other end sends.
  Direction& other = dir(Other(from));
  ForEachSetting(payload, [&](uint16_t id, uint32_t value) {
    if (id == kSettingsHeaderTableSize) other.hpack.SetMaxTableSize(value);
    if (id == kSettingsMaxFrameSize && value >= kDefaultMaxFrameSize &&
        value <= kMaxFrameSizeLimit) {
      other.reader.set_max_frame_size(value);
    }
  });
}

void Connection::OnRstStream(Sender from, uint32_t stream_id, uint32_t code) {
  StreamState* st = Find(stream_id);
  if (!st) return;
  st->ex.reset = true;
  st->ex.reset_by = from;
  st->ex.reset_error_code = code;
  Emit(stream_id);
}

void Connection::OnGoaway(Sender from, uint32_t last_stream_id) {
  // A server's GOAWAY: client streams above last_stream_id were not and will not be processed.
  if (from != Sender::kServer) return;
  std::vector<uint32_t> refused;
  for (auto it = streams_.upper_bound(last_stream_id); it != streams_.end(); ++it) {
    if (it->first % 2 == 1) refused.push_back(it->first);
  }
  for (uint32_t id : refused) {
    streams_.at(id).ex.refused_by_goaway = true;
    Emit(id);
  }
}

void Connection::OnDataBegin(Sender from, const FrameHeader& h, const FrameTimes& t) {
  Direction& d = dir(from);
  if (d.block.open) {
    ++stats_.frame_errors;
    d.block.lost = true;
    FinishBlock(from);
  }
  d.data_stream_id = GetOrCreate(h.stream_id) ? h.stream_id : 0;
  if (StreamState* st = Find(d.data_stream_id)) st->Touch(from, t.start_ns, t.start_arrival_ns, 0);
}

void Connection::OnDataBytes(Sender from, const FrameHeader& h, std::string_view bytes) {
  (void)h;
  if (StreamState* st = Find(dir(from).data_stream_id)) {
    (from == Sender::kClient ? st->request_grpc : st->response_grpc).Bytes(bytes);
  }
}

void Connection::OnDataLost(Sender from, const FrameHeader& h, uint64_t n) {
  (void)h;
  if (StreamState* st = Find(dir(from).data_stream_id)) {
    (from == Sender::kClient ? st->request_grpc : st->response_grpc).Lost(n);
  }
}

void Connection::OnDataEnd(Sender from, const FrameHeader& h, uint64_t data_bytes,
                           uint64_t end_ns) {
  Direction& d = dir(from);
  uint32_t id = d.data_stream_id;
  d.data_stream_id = 0;
  StreamState* st = Find(id);
  if (!st) return;
  st->Touch(from, 0, 0, end_ns);
  const bool end_stream = h.flags & kFlagEndStream;
  if (from == Sender::kClient) {
    st->ex.request_data_bytes += data_bytes;
    if (end_stream) st->ex.request_ended = true;
  } else {
    st->ex.response_data_bytes += data_bytes;
    if (end_stream) st->ex.response_ended = true;
  }
  MaybeComplete(id);
}

void Connection::OnDesync(Sender from) {
  Direction& d = dir(from);
  // Any lost frame may have been a header block: the HPACK context is gone.
  d.block = OpenBlock();
  d.hpack.Desync();
  d.data_stream_id = 0;
  // Every open stream may have lost frames of this direction.
  for (auto& [id, st] : streams_) {
    st.ex.incomplete = true;
    if (from == Sender::kClient) {
      st.ex.request_fields_unknown = true;
      st.request_grpc.Lost(UINT64_MAX);
    } else {
      st.ex.response_fields_unknown = true;
      st.response_grpc.Lost(UINT64_MAX);
    }
  }
}

StreamState* Connection::Find(uint32_t id) {
  auto it = streams_.find(id);
  return it == streams_.end() ? nullptr : &it->second;
}

StreamState* Connection::GetOrCreate(uint32_t id) {
  if (StreamState* st = Find(id)) return st;
  const bool recently_closed =
      std::find(recently_closed_.begin(), recently_closed_.end(), id) != recently_closed_.end();
  // In a connection followed from its start, a lower id than one already seen was closed.
  // After a late attach, lower ids may be streams that were open before the first byte seen.
  const bool followed_from_start = options_.streams_start_at_zero || client_.reader.saw_preface();
  if (id % 2 == 0 || recently_closed || (followed_from_start && id <= max_created_id_)) {
    ++stats_.ignored_frames;
    return nullptr;
  }
  if (streams_.size() >= options_.max_streams) {
    ++stats_.stream_evictions;
    EvictOldestStream();
  }
  ++stats_.streams;
  max_created_id_ = std::max(max_created_id_, id);
  StreamState& st = streams_[id];
  st.ex.stream_id = id;
  st.created_seq = ++seq_;
  return &st;
}

bool Connection::EvictOldestStream() {
  if (streams_.empty()) return false;
  auto oldest = std::min_element(streams_.begin(), streams_.end(), [](auto& a, auto& b) {
    return a.second.created_seq < b.second.created_seq;
  });
  oldest->second.ex.evicted = true;
  Emit(oldest->first);
  return true;
}

void Connection::MaybeComplete(uint32_t id) {
  StreamState* st = Find(id);
  if (st && st->ex.request_ended && st->ex.response_ended) Emit(id);
}

void Connection::Emit(uint32_t id) {
  auto it = streams_.find(id);
  if (it == streams_.end()) return;
  done_.push_back(it->second.Finish());
  streams_.erase(it);
  ++stats_.exchanges;
  recently_closed_[closed_next_] = id;
  closed_next_ = (closed_next_ + 1) % recently_closed_.size();
}

}  // namespace hugin::http2
