#include "core/conn/conn_tracker.h"

#include <algorithm>
#include <string>
#include <tuple>

#include "core/protocols/registry.h"

namespace hugin {

using protocols::Sender;
using protocols::Verdict;

namespace {

// "Maybe" bytes a connection may hold while its protocol is undecided: enough for a request
// line split over a few calls, small enough that undecidable connections cost little.
constexpr size_t kMaxHeldBytes = 4096;

// Slots of the evicted-connection table: 64 KiB; a connection evicted more than ~8000
// evictions ago may be forgotten (it then costs a gap report, not a wrong span).
constexpr size_t kEvictedSlots = 8192;

uint64_t Key(uint32_t tgid, int32_t fd) {
  return (static_cast<uint64_t>(tgid) << 32) | static_cast<uint32_t>(fd);
}

uint64_t Fingerprint(const events::ConnId& id) {
  uint64_t h = Key(id.tgid, id.fd) * 0x9E3779B97F4A7C15ull ^ id.generation;
  h ^= h >> 31;
  h *= 0xBF58476D1CE4E5B9ull;
  h ^= h >> 29;
  return h | 1;  // 0 marks an empty slot
}

}  // namespace

struct ConnTracker::Conn {
  enum class Capture { kDetecting, kParsing, kOff };
  // A chunk held while inference says "maybe", with its bytes owned. `chunk.data` stays empty:
  // a view into `bytes` would dangle once the vector moves a Held (a short string's bytes live
  // inside the object), so view() makes it where it is used.
  struct Held {
    uint8_t dir;
    protocols::Chunk chunk;
    std::string bytes;
    protocols::Chunk view() const {
      protocols::Chunk c = chunk;
      c.data = bytes;
      return c;
    }
  };

  events::ConnId id;
  uint8_t role = HG_ROLE_UNKNOWN;
  bool seen_from_start = false;  // OPEN from accept/connect: positions count from byte 0
  bool have_addr = false;
  events::Address addr;
  Capture capture = Capture::kDetecting;
  const protocols::ProtocolTraits* protocol = nullptr;
  std::unique_ptr<protocols::ConnectionParser> parser;
  std::vector<Held> held;
  size_t held_bytes = 0;
  std::list<Conn*>::iterator activity;  // its place in ConnTracker::by_activity_
  // Per direction: the position is taken from the first record (a connection tracked again
  // after an eviction), not counted from 0.
  bool pos_unknown[2] = {false, false};
  bool restarted = false;
  size_t counted_pending = 0;  // parser->pending() as last added to pending_total_
  // Per enum hg_direction: the position after the last byte seen, and the time of the last
  // record (the open, or the generation, before the first): the window a gap fell in.
  uint64_t next_pos[2] = {0, 0};
  uint64_t last_ns[2] = {0, 0};
  // Per direction: bytes the kernel aggregated itself and never recorded (HG_FLAG_RESUME).
  // The parser sees positions with them taken out, so its stream is contiguous.
  uint64_t hidden[2] = {0, 0};
  // The parser's counters already added to the tracker's totals (stats() is O(1)).
  uint64_t counted_parse_errors = 0, counted_gaps = 0, counted_unreported = 0;
  uint64_t counted_in_flight_evictions = 0, counted_header_evictions = 0;
  // Every span of the connection carries the same addresses and service name: formatted once,
  // at its first span, and copied (no formatting, no lookup) into the next ones.
  bool tls = false;            // the parsed stream is the TLS plaintext
  bool tls_plaintext = false;  // some plaintext was seen
  bool have_span_labels = false;
  std::string local_ip, peer_ip, service_name;

  Sender SenderOf(uint8_t dir) const {
    return (dir == HG_INGRESS) == (role == HG_ROLE_SERVER) ? Sender::kClient : Sender::kServer;
  }
};

ConnTracker::ConnTracker(SpanSink sink, ServiceNameOf service_name, int64_t mono_to_wall_ns,
                         LossSinks loss_sinks)
    : sink_(std::move(sink)),
      loss_sinks_(std::move(loss_sinks)),
      service_name_(std::move(service_name)),
      mono_to_wall_ns_(mono_to_wall_ns),
      protocols_(protocols::Registry()) {}

ConnTracker::~ConnTracker() = default;

void ConnTracker::OnRecord(const void* data, size_t size) {
  totals_.records++;
  auto r = events::Decode(data, size);
  if (!r.ok()) {
    totals_.decode_errors++;
    return;
  }
  std::visit(
      [this](const auto& ev) {
        using T = std::decay_t<decltype(ev)>;
        if constexpr (std::is_same_v<T, events::OpenEvent>) OnOpen(ev);
        if constexpr (std::is_same_v<T, events::DataEvent>) OnData(ev);
        if constexpr (std::is_same_v<T, events::CloseEvent>) OnClose(ev);
      },
      r.value());
}

ConnTracker::Conn& ConnTracker::Reset(const events::Common& c, uint8_t role, bool restart) {
  auto& slot = conns_[Key(c.conn.tgid, c.conn.fd)];
  if (slot) {  // the fd was reused: the old connection is over
    Finish(*slot, c.ts_ns);
    pending_total_ -= slot->counted_pending;
    by_activity_.erase(slot->activity);
  }
  slot = std::make_unique<Conn>();
  Conn& conn = *slot;
  conn.id = c.conn;
  conn.role = role;
  // The kernel saw accept()/connect(): positions count from the first byte. A connection
  // evicted before is joined mid-stream: the parser must not assume message boundaries.
  conn.seen_from_start = role != HG_ROLE_UNKNOWN && !restart;
  conn.restarted = restart;
  conn.pos_unknown[HG_INGRESS] = conn.pos_unknown[HG_EGRESS] = restart;
  // The generation is the kernel's clock when it began tracking the connection.
  conn.last_ns[HG_INGRESS] = conn.last_ns[HG_EGRESS] = c.conn.generation;
  conn.activity = by_activity_.insert(by_activity_.end(), &conn);
  if (conns_.size() > limits_.max_connections) EvictLeastRecentlyActive(conn, c.ts_ns);
  return conn;
}

void ConnTracker::Touch(Conn& conn) {
  by_activity_.splice(by_activity_.end(), by_activity_, conn.activity);
}

ConnTracker::ConnMap::iterator ConnTracker::Forget(ConnMap::iterator it) {
  pending_total_ -= it->second->counted_pending;
  by_activity_.erase(it->second->activity);
  return conns_.erase(it);
}

void ConnTracker::EvictLeastRecentlyActive(const Conn& keep, uint64_t ts_ns) {
  while (conns_.size() > limits_.max_connections && by_activity_.front() != &keep) {
    Conn& victim = *by_activity_.front();
    totals_.evictions.connections++;
    // As at a close with the byte count unknown: requests still waiting come out unanswered.
    Finish(victim, ts_ns);
    RememberEvicted(victim.id);
    Forget(conns_.find(Key(victim.id.tgid, victim.id.fd)));
  }
}

void ConnTracker::RememberEvicted(const events::ConnId& id) {
  if (evicted_.empty()) evicted_.assign(kEvictedSlots, 0);
  const uint64_t f = Fingerprint(id);
  evicted_[f % kEvictedSlots] = f;
}

bool ConnTracker::WasEvicted(const events::ConnId& id) const {
  if (evicted_.empty()) return false;
  const uint64_t f = Fingerprint(id);
  return evicted_[f % kEvictedSlots] == f;
}

void ConnTracker::UpdatePending(Conn& conn) {
  const size_t now = conn.parser ? conn.parser->pending() : 0;
  pending_total_ += now;
  pending_total_ -= conn.counted_pending;
  conn.counted_pending = now;
  if (pending_total_ > limits_.max_pending_pairings) EnforcePendingBound();
}

void ConnTracker::EnforcePendingBound() {
  // Least recently active first: their answers are the most overdue. One pass at most; what
  // cannot be given up (answered, not handed out yet) waits for its parser.
  for (auto it = by_activity_.begin();
       it != by_activity_.end() && pending_total_ > limits_.max_pending_pairings;) {
    Conn& conn = **it++;  // Emit may not touch the list, but keep the next one first anyway
    if (!conn.parser || conn.counted_pending == 0) continue;
    while (pending_total_ > limits_.max_pending_pairings && conn.parser->DropOldestPending()) {
      totals_.evictions.pending_pairings++;
      Emit(conn);
      const size_t now = conn.parser->pending();
      pending_total_ += now;
      pending_total_ -= conn.counted_pending;
      conn.counted_pending = now;
    }
  }
}

void ConnTracker::OnOpen(const events::OpenEvent& e) {
  Conn& conn = Reset(e.c, e.c.role);
  conn.have_addr = true;
  conn.addr = e.addr;
  conn.last_ns[HG_INGRESS] = conn.last_ns[HG_EGRESS] = e.c.ts_ns;
}

void ConnTracker::TrackPosition(Conn& conn, const events::DataEvent& e) {
  const uint8_t d = e.dir;
  if (e.resume && e.pos > conn.next_pos[d]) {
    // Handed back by the kernel, which aggregated the bytes before this record: not a loss.
    conn.hidden[d] += e.pos - conn.next_pos[d];
    conn.next_pos[d] = e.pos;
  }
  if (conn.pos_unknown[d]) {  // tracked again after an eviction: not a loss
    conn.pos_unknown[d] = false;
    conn.next_pos[d] = e.pos;
  }
  if (e.pos > conn.next_pos[d] && loss_sinks_.gap) {
    StreamGap g;
    g.pid = conn.id.tgid;
    g.fd = conn.id.fd;
    g.generation = conn.id.generation;
    if (conn.have_addr) {
      g.local_port = conn.addr.local_port;
      g.peer_port = conn.addr.remote_port;
    }
    g.direction = d == HG_EGRESS ? Direction::kEgress : Direction::kIngress;
    g.bytes = e.pos - conn.next_pos[d];
    g.after_ns = conn.last_ns[d];
    g.before_ns = e.c.ts_ns;
    loss_sinks_.gap(g);
  }
  // A record behind the position (two threads on one socket, their records crossing) neither
  // moves it back nor is a gap.
  conn.next_pos[d] = std::max(conn.next_pos[d], e.pos + e.len);
  conn.last_ns[d] = std::max(conn.last_ns[d], e.c.ts_ns);
}

void ConnTracker::OnData(const events::DataEvent& e) {
  auto it = conns_.find(Key(e.c.conn.tgid, e.c.conn.fd));
  Conn* conn;
  if (it != conns_.end() && e.c.conn.generation < it->second->id.generation) {
    // An older connection's record, after its fd's next connection opened (the socket data
    // path ends a connection with its socket, which may outlive the fd: a call in flight on
    // another thread during close(), a dup()ed fd). Its connection is finished: counted.
    totals_.stale_records++;
    return;
  }
  if (it == conns_.end() || it->second->id.generation != e.c.conn.generation) {
    // Its OPEN record was lost, or it was evicted: then it restarts as joined mid-stream.
    const bool evicted = WasEvicted(e.c.conn);
    conn = &Reset(e.c, e.c.role, evicted);
  } else {
    conn = it->second.get();
    Touch(*conn);
  }
  if (e.ciphertext || e.tls) {
    if (!conn->tls) BecomeTls(*conn);
    if (e.ciphertext) return;  // ciphertext is not parsed (counted by the kernel)
    conn->tls_plaintext = true;
  } else if (conn->tls) {
    return;  // raw bytes of a TLS connection (the kernel sends none after it knows)
  }
  TrackPosition(*conn, e);
  if (conn->capture == Conn::Capture::kOff) return;
  const uint64_t hidden = conn->hidden[e.dir & 1];
  events::DataEvent seen = e;  // a view: the payload is not copied
  seen.pos = e.pos >= hidden ? e.pos - hidden : 0;
  if (conn->capture == Conn::Capture::kDetecting && !Detect(*conn, seen)) return;
  Feed(*conn, e.dir, protocols::Chunk{seen.pos, e.len, e.payload, e.c.ts_ns, e.arrival_ns});
  Account(*conn);
  Emit(*conn);
  UpdatePending(*conn);
}

namespace {

struct Verdicts {
  const protocols::ProtocolTraits* yes = nullptr;  // the first protocol (registry order) saying yes
  protocols::Inference yes_inference;
  bool maybe = false;
};

Verdicts InferAll(std::span<const protocols::ProtocolTraits* const> all, std::string_view bytes,
                  uint64_t len, bool at_stream_start) {
  Verdicts v;
  for (const protocols::ProtocolTraits* p : all) {
    protocols::Inference inf = p->infer(bytes, len, at_stream_start);
    if (inf.verdict == Verdict::kYes && !v.yes) v.yes = p, v.yes_inference = inf;
    if (inf.verdict == Verdict::kMaybe) v.maybe = true;
  }
  return v;
}

}  // namespace

bool ConnTracker::Detect(Conn& conn, const events::DataEvent& e) {
  // Only a connection seen from its first byte can be judged by its first bytes.
  const bool at_start = conn.seen_from_start && e.pos == 0;
  // Held "maybe" bytes of this direction that end where this chunk starts are judged together
  // with it (a request line split over calls); on "no" the chunk is judged alone.
  std::string joined;
  uint64_t joined_len = 0;  // bytes the joined calls moved
  bool joined_from_start = false;
  if (!conn.held.empty()) {
    const Conn::Held& last = conn.held.back();
    if (last.dir == e.dir && last.bytes.size() == last.chunk.len &&
        last.chunk.pos + last.chunk.len == e.pos) {
      for (const Conn::Held& h : conn.held)
        if (h.dir == e.dir) joined += h.bytes;
      joined.append(e.payload);
      joined_len = joined.size() - e.payload.size() + e.len;
      joined_from_start = conn.seen_from_start && conn.held.front().chunk.pos == 0;
    }
  }
  Verdicts v = joined.empty() ? InferAll(protocols_, e.payload, e.len, at_start)
                              : InferAll(protocols_, joined, joined_len, joined_from_start);
  if (!joined.empty() && !v.yes && !v.maybe) {
    // The held bytes were no message start after all: drop them, judge the chunk alone.
    totals_.held_chunks_dropped += conn.held.size();
    conn.held.clear();
    conn.held_bytes = 0;
    joined_from_start = false;
    v = InferAll(protocols_, e.payload, e.len, at_start);
  }
  if (v.yes) {
    if (conn.role == HG_ROLE_UNKNOWN) {
      if (!v.yes_inference.sender) {  // a protocol that cannot tell who sent it: wait
        totals_.unclassified_chunks++;
        return false;
      }
      // Who sends requests decides the role: a request read in means we serve.
      const bool client_sent = *v.yes_inference.sender == Sender::kClient;
      conn.role = client_sent == (e.dir == HG_INGRESS) ? HG_ROLE_SERVER : HG_ROLE_CLIENT;
    }
    conn.protocol = v.yes;
    conn.parser = v.yes->make_parser(conn.seen_from_start, limits_.parser);
    conn.capture = Conn::Capture::kParsing;
    if (v.yes->capture != HG_CAPTURE_HEAD && policy_sink_)
      policy_sink_(conn.id, v.yes->capture, conn.tls);
    for (const Conn::Held& h : conn.held) Feed(conn, h.dir, h.view());
    conn.held.clear();
    conn.held_bytes = 0;
    return true;
  }
  if (v.maybe && conn.held_bytes + e.payload.size() <= kMaxHeldBytes) {
    Conn::Held& h = conn.held.emplace_back();
    h.dir = e.dir;
    h.bytes.assign(e.payload);
    h.chunk = {e.pos, e.len, {}, e.c.ts_ns, e.arrival_ns};
    conn.held_bytes += h.bytes.size();
    return false;
  }
  if (v.maybe) totals_.held_chunks_dropped++;
  if (at_start || joined_from_start) {
    SwitchOff(conn);
    return false;
  }
  totals_.unclassified_chunks++;
  return false;
}

void ConnTracker::SwitchOff(Conn& conn) {
  totals_.held_chunks_dropped += conn.held.size();
  conn.held.clear();
  conn.held_bytes = 0;
  conn.capture = Conn::Capture::kOff;
  totals_.capture_off_conns++;
  if (policy_sink_) policy_sink_(conn.id, HG_CAPTURE_OFF, conn.tls);
}

void ConnTracker::BecomeTls(Conn& conn) {
  conn.tls = true;
  totals_.tls_conns++;
  if (conn.parser) {  // raw bytes parsed before the kernel knew (a connection joined mid-stream)
    Account(conn);
    RetireParser(conn);
    conn.parser.reset();
    conn.protocol = nullptr;
    UpdatePending(conn);
  }
  totals_.held_chunks_dropped += conn.held.size();
  conn.held.clear();
  conn.held_bytes = 0;
  conn.capture = Conn::Capture::kDetecting;
  conn.next_pos[HG_INGRESS] = conn.next_pos[HG_EGRESS] = 0;
  conn.pos_unknown[HG_INGRESS] = conn.pos_unknown[HG_EGRESS] = conn.restarted;
}

void ConnTracker::Feed(Conn& conn, uint8_t dir, const protocols::Chunk& chunk) {
  conn.parser->OnData(conn.SenderOf(dir), chunk);
}

void ConnTracker::OnClose(const events::CloseEvent& e) {
  auto it = conns_.find(Key(e.c.conn.tgid, e.c.conn.fd));
  if (it == conns_.end()) return;
  // The end of an older connection on this fd, after the next one opened (its socket outlived
  // the fd, socket data path): the one tracked now goes on. The older one was finished when the
  // newer opened.
  if (e.c.conn.generation < it->second->id.generation) return;
  Conn& conn = *it->second;
  const uint8_t client_dir = conn.role == HG_ROLE_SERVER ? HG_INGRESS : HG_EGRESS;
  if (e.tls && !conn.tls) BecomeTls(conn);
  const uint64_t end = conn.tls ? e.tls_bytes[client_dir] : e.bytes[client_dir];
  const uint64_t hidden = conn.tls ? 0 : conn.hidden[client_dir];
  Finish(conn, e.c.ts_ns, end >= hidden ? end - hidden : 0);
  Forget(it);
}

void ConnTracker::ForgetProcess(uint32_t tgid) {
  for (auto it = conns_.begin(); it != conns_.end();) {
    if (it->second->id.tgid == tgid) {
      Finish(*it->second, 0);
      it = Forget(it);
    } else {
      ++it;
    }
  }
}

void ConnTracker::Finish(Conn& conn, uint64_t ts_ns, std::optional<uint64_t> client_stream_end) {
  if (conn.tls && !conn.tls_plaintext) totals_.tls_conns_without_plaintext++;
  if (!conn.parser) {
    totals_.held_chunks_dropped += conn.held.size();
    return;
  }
  conn.parser->OnClose(ts_ns, client_stream_end);
  Emit(conn);
  Account(conn);
  RetireParser(conn);  // every caller drops the connection next
  pending_total_ += conn.parser->pending();
  pending_total_ -= conn.counted_pending;
  conn.counted_pending = conn.parser->pending();
}

void ConnTracker::Account(Conn& conn) {
  const protocols::ParserStats s = conn.parser->stats();
  totals_.parse_errors += s.parse_errors - conn.counted_parse_errors;
  totals_.stream_gaps += s.gaps - conn.counted_gaps;
  totals_.unreported_exchanges += s.unreported - conn.counted_unreported;
  totals_.evictions.in_flight_requests += s.in_flight_evictions - conn.counted_in_flight_evictions;
  totals_.evictions.header_bytes += s.header_bytes_evictions - conn.counted_header_evictions;
  conn.counted_parse_errors = s.parse_errors;
  conn.counted_gaps = s.gaps;
  conn.counted_unreported = s.unreported;
  conn.counted_in_flight_evictions = s.in_flight_evictions;
  conn.counted_header_evictions = s.header_bytes_evictions;
}

void ConnTracker::RetireParser(Conn& conn) {
  const protocols::ParserStats s = conn.parser->stats();
  retired_.parse_errors += s.parse_errors;
  retired_.gaps += s.gaps;
  retired_.unreported += s.unreported;
  retired_.in_flight_evictions += s.in_flight_evictions;
  retired_.header_bytes_evictions += s.header_bytes_evictions;
  conn.counted_parse_errors = conn.counted_gaps = conn.counted_unreported = 0;
  conn.counted_in_flight_evictions = conn.counted_header_evictions = 0;
}

void ConnTracker::Emit(Conn& conn) {
  exchanges_.clear();
  conn.parser->TakeExchanges(exchanges_);
  for (protocols::Exchange& r : exchanges_) {
    if (!r.answered) {
      totals_.unmatched_requests++;
      if (loss_sinks_.unpaired) {
        UnpairedRequest u;
        u.pid = conn.id.tgid;
        u.fd = conn.id.fd;
        u.generation = conn.id.generation;
        if (conn.have_addr) {
          u.local_port = conn.addr.local_port;
          u.peer_port = conn.addr.remote_port;
        }
        u.request_ns = r.req_start_ns;
        loss_sinks_.unpaired(u);
      }
      continue;
    }
    Span s;
    s.kind = conn.role == HG_ROLE_SERVER ? SpanKind::kServer : SpanKind::kClient;
    s.protocol = r.protocol;
    if (s.kind == SpanKind::kServer) {
      // Total time starts when the request reached the socket (queue time
      // included); processing starts when the service read it.
      s.start_ns = r.req_arrival_ns ? r.req_arrival_ns : r.req_start_ns;
      s.processing_start_ns = r.req_start_ns;
    } else {
      s.start_ns = s.processing_start_ns = r.req_start_ns;
    }
    if (s.start_ns > s.processing_start_ns) s.start_ns = s.processing_start_ns;
    s.end_ns = r.resp_end_ns;
    s.wall_start_ns = static_cast<int64_t>(s.start_ns) + mono_to_wall_ns_;
    s.method = std::move(r.method);
    s.path = std::move(r.path);
    s.status = r.status;
    s.stream_id = r.stream_id;
    s.grpc_status = r.grpc_status.value_or(-1);
    s.tls = conn.tls;
    s.request_body_bytes = r.request_body_bytes;
    s.response_body_bytes = r.response_body_bytes;
    if (!conn.have_span_labels) {
      conn.have_span_labels = true;
      if (conn.have_addr) {
        conn.local_ip = events::IpToString(conn.addr.family, conn.addr.local_ip);
        conn.peer_ip = events::IpToString(conn.addr.family, conn.addr.remote_ip);
      }
      conn.service_name = service_name_(conn.id.tgid);
    }
    if (conn.have_addr) {
      s.local = {conn.local_ip, conn.addr.local_port};
      s.peer = {conn.peer_ip, conn.addr.remote_port};
    }
    s.pid = conn.id.tgid;
    s.service_name = conn.service_name;
    totals_.spans++;
    sink_(std::move(s));
  }
}

TrackerStats ConnTracker::stats() const {
  TrackerStats s = totals_;
  s.open_conns = conns_.size();
  s.pending_pairings = pending_total_;
  return s;
}

TrackerStats ConnTracker::RecountStats() const {
  TrackerStats s = totals_;
  protocols::ParserStats p = retired_;
  s.pending_pairings = 0;
  for (const auto& [key, conn] : conns_) {
    if (!conn->parser) continue;
    const protocols::ParserStats c = conn->parser->stats();
    p.parse_errors += c.parse_errors;
    p.gaps += c.gaps;
    p.unreported += c.unreported;
    p.in_flight_evictions += c.in_flight_evictions;
    p.header_bytes_evictions += c.header_bytes_evictions;
    s.pending_pairings += conn->parser->pending();
  }
  s.parse_errors = p.parse_errors;
  s.stream_gaps = p.gaps;
  s.unreported_exchanges = p.unreported;
  s.evictions.in_flight_requests = p.in_flight_evictions;
  s.evictions.header_bytes = p.header_bytes_evictions;
  s.open_conns = by_activity_.size();
  return s;
}

}  // namespace hugin
