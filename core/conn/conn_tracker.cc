#include "core/conn/conn_tracker.h"

#include <algorithm>

namespace hugin {

struct ConnTracker::Conn {
  events::ConnId id;
  uint8_t role = HG_ROLE_UNKNOWN;
  bool have_addr = false;
  events::Address addr;
  std::unique_ptr<http1::Stitcher> http;  // created once the role is known
  // Per enum hg_direction: the position after the last byte seen, and the time of the last
  // record (the open, or the generation, before the first): the window a gap fell in.
  uint64_t next_pos[2] = {0, 0};
  uint64_t last_ns[2] = {0, 0};
  // The stitcher's counters already added to the tracker's totals (stats() is O(1)).
  uint64_t counted_parse_errors = 0, counted_gaps = 0;
  // Every span of the connection carries the same addresses and service name: formatted once,
  // at its first span, and copied (no formatting, no lookup) into the next ones.
  bool have_span_labels = false;
  std::string local_ip, peer_ip, service_name;
};

namespace {

uint64_t Key(uint32_t tgid, int32_t fd) {
  return (static_cast<uint64_t>(tgid) << 32) | static_cast<uint32_t>(fd);
}

}  // namespace

ConnTracker::ConnTracker(SpanSink sink, ServiceNameOf service_name, int64_t mono_to_wall_ns,
                         LossSinks loss_sinks)
    : sink_(std::move(sink)),
      loss_sinks_(std::move(loss_sinks)),
      service_name_(std::move(service_name)),
      mono_to_wall_ns_(mono_to_wall_ns) {}

ConnTracker::~ConnTracker() = default;

void ConnTracker::OnRecord(const void* data, size_t size) {
  totals_.records++;
  auto r = events::Decode(data, size);
  if (auto* err = std::get_if<std::string>(&r)) {
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
      std::get<events::Event>(r));
}

ConnTracker::Conn& ConnTracker::Reset(const events::Common& c, uint8_t role) {
  auto& slot = conns_[Key(c.conn.tgid, c.conn.fd)];
  if (slot) Finish(*slot, c.ts_ns);  // the fd was reused: the old connection is over
  slot = std::make_unique<Conn>();
  slot->id = c.conn;
  slot->role = role;
  // The generation is the kernel's clock when it began tracking the connection.
  slot->last_ns[HG_INGRESS] = slot->last_ns[HG_EGRESS] = c.conn.generation;
  if (role != HG_ROLE_UNKNOWN) {
    // The kernel saw accept()/connect(): positions count from the first byte.
    http1::Options opts;
    opts.streams_start_at_zero = true;
    slot->http = std::make_unique<http1::Stitcher>(opts);
  }
  return *slot;
}

void ConnTracker::OnOpen(const events::OpenEvent& e) {
  Conn& conn = Reset(e.c, e.c.role);
  conn.have_addr = true;
  conn.addr = e.addr;
  conn.last_ns[HG_INGRESS] = conn.last_ns[HG_EGRESS] = e.c.ts_ns;
}

void ConnTracker::TrackPosition(Conn& conn, const events::DataEvent& e) {
  const uint8_t d = e.dir;
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
  if (it == conns_.end() || it->second->id.generation != e.c.conn.generation) {
    conn = &Reset(e.c, e.c.role);  // its OPEN record was lost
  } else {
    conn = it->second.get();
  }
  TrackPosition(*conn, e);
  if (conn->role == HG_ROLE_UNKNOWN) {
    // Who sends requests decides the role: a request read in means we serve.
    bool req = http1::Stitcher::LooksLikeRequest(e.payload);
    bool resp = !req && http1::Stitcher::LooksLikeResponse(e.payload);
    if (!req && !resp) {
      totals_.unclassified_chunks++;
      return;
    }
    bool ingress = e.dir == HG_INGRESS;
    conn->role = (req == ingress) ? HG_ROLE_SERVER : HG_ROLE_CLIENT;
    conn->http = std::make_unique<http1::Stitcher>();
  }
  http1::DataChunk chunk{e.pos, e.len, e.payload, e.c.ts_ns, e.arrival_ns};
  bool requests_in = conn->role == HG_ROLE_SERVER;
  if ((e.dir == HG_INGRESS) == requests_in)
    conn->http->AddRequestData(chunk);
  else
    conn->http->AddResponseData(chunk);
  Account(*conn);
  Emit(*conn);
}

void ConnTracker::OnClose(const events::CloseEvent& e) {
  auto it = conns_.find(Key(e.c.conn.tgid, e.c.conn.fd));
  if (it == conns_.end()) return;
  Conn& conn = *it->second;
  uint8_t request_dir = conn.role == HG_ROLE_SERVER ? HG_INGRESS : HG_EGRESS;
  Finish(conn, e.c.ts_ns, e.bytes[request_dir]);
  conns_.erase(it);
}

void ConnTracker::ForgetProcess(uint32_t tgid) {
  for (auto it = conns_.begin(); it != conns_.end();) {
    if (it->second->id.tgid == tgid) {
      Finish(*it->second, 0);
      it = conns_.erase(it);
    } else {
      ++it;
    }
  }
}

void ConnTracker::Finish(Conn& conn, uint64_t ts_ns, std::optional<uint64_t> request_stream_end) {
  if (!conn.http) return;
  conn.http->Close(ts_ns, request_stream_end);
  Emit(conn);
  Account(conn);
}

// Adds what the connection's stitcher counted since the last call to the totals.
void ConnTracker::Account(Conn& conn) {
  const auto& s = conn.http->stats();
  totals_.parse_errors += s.parse_errors - conn.counted_parse_errors;
  totals_.stream_gaps += s.gaps - conn.counted_gaps;
  conn.counted_parse_errors = s.parse_errors;
  conn.counted_gaps = s.gaps;
}

void ConnTracker::Emit(Conn& conn) {
  conn.http->TakeRecords(&records_);
  for (auto& r : records_) {
    if (r.status == 0) {
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
    s.protocol = "http";
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
    s.request_body_bytes = r.req_body_bytes;
    s.response_body_bytes = r.resp_body_bytes;
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
  return s;
}

}  // namespace hugin
