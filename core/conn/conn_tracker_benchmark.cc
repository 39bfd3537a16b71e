// Connection tracker throughput: ring buffer records (laid out as bpf/hugin.h) through
// ConnTracker::OnRecord (decode, routing, HTTP/1.x stitching, span building) into a sink that
// only counts.
//   bazel run //core/conn:conn_tracker_benchmark
// "Time" is ns per request (one GET/200 exchange); items_per_second is ring buffer events/s.
#include <benchmark/benchmark.h>

#include <sys/socket.h>

#include <array>
#include <cstring>
#include <string>
#include <vector>

#include "core/conn/conn_tracker.h"

namespace hugin {
namespace {

constexpr uint32_t kPid = 4242;
constexpr int kManyConns = 1000;

const std::string kGet =
    "GET /api/users/42?fields=name HTTP/1.1\r\nHost: localhost:8080\r\n"
    "User-Agent: wrk\r\nAccept: */*\r\n\r\n";
const std::string kOk =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 28\r\n\r\n"
    "{\"id\":42,\"name\":\"Ada Byron\"}";

hg_header Header(uint8_t type, uint8_t dir, uint8_t syscall, int fd, uint64_t gen, uint64_t ts) {
  hg_header h{};
  h.type = type;
  h.role = HG_ROLE_SERVER;
  h.dir = dir;
  h.syscall = syscall;
  h.tid = kPid;
  h.ts_ns = ts;
  h.conn = {kPid, fd, gen};
  return h;
}

// Builds the records in reusable buffers (as a ring buffer consumer sees them) and hands them
// to the tracker; keeps each connection's stream positions per direction.
class Feeder {
 public:
  explicit Feeder(ConnTracker& t) : tracker_(t) {}

  void Open(int fd, uint64_t gen) {
    hg_open_event e{};
    e.h = Header(HG_EV_OPEN, HG_INGRESS, HG_SYS_ACCEPT, fd, gen, ++ts_);
    e.addr.family = AF_INET;
    e.addr.lport = 8080;
    e.addr.rport = static_cast<uint16_t>(40000 + fd);
    const uint8_t lo[4] = {127, 0, 0, 1};
    std::memcpy(e.addr.laddr, lo, 4);
    std::memcpy(e.addr.raddr, lo, 4);
    tracker_.OnRecord(&e, sizeof(e));
    Positions(fd) = {0, 0};
  }
  void Data(int fd, uint64_t gen, uint8_t dir, const std::string& bytes) {
    hg_data_event e{};
    e.h = Header(HG_EV_DATA, dir, dir == HG_INGRESS ? HG_SYS_READ : HG_SYS_WRITE, fd, gen, ++ts_);
    uint64_t& pos = Positions(fd)[dir];
    e.pos = pos;
    e.arrival_ns = dir == HG_INGRESS ? e.h.ts_ns - 1 : 0;
    e.len = e.captured = static_cast<uint32_t>(bytes.size());
    pos += bytes.size();
    buf_.resize(sizeof(e) + bytes.size());
    std::memcpy(buf_.data(), &e, sizeof(e));
    std::memcpy(buf_.data() + sizeof(e), bytes.data(), bytes.size());
    tracker_.OnRecord(buf_.data(), buf_.size());
  }
  void Close(int fd, uint64_t gen) {
    hg_close_event e{};
    e.h = Header(HG_EV_CLOSE, HG_INGRESS, HG_SYS_CLOSE, fd, gen, ++ts_);
    e.bytes[HG_INGRESS] = Positions(fd)[HG_INGRESS];
    e.bytes[HG_EGRESS] = Positions(fd)[HG_EGRESS];
    tracker_.OnRecord(&e, sizeof(e));
  }

 private:
  std::array<uint64_t, 2>& Positions(int fd) {
    if (static_cast<size_t>(fd) >= pos_.size()) pos_.resize(fd + 1);
    return pos_[fd];
  }

  ConnTracker& tracker_;
  uint64_t ts_ = 1'000'000;
  std::vector<std::array<uint64_t, 2>> pos_;
  std::vector<char> buf_;
};

struct CountingTracker {
  uint64_t spans = 0;
  ConnTracker tracker{[this](Span&& s) {
                        ++spans;
                        benchmark::DoNotOptimize(s.status);
                      },
                      [](uint32_t) { return std::string("bench"); }, 0};
};

// Common end of every case: `events` ring buffer records for `requests` exchanges.
void Finish(benchmark::State& state, const CountingTracker& ct, uint64_t expected_spans,
            uint64_t events_per_iteration) {
  const TrackerStats st = ct.tracker.stats();
  if (ct.spans != expected_spans || st.parse_errors != 0 || st.decode_errors != 0)
    state.SkipWithError("spans did not come out one per exchange");
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * events_per_iteration));
}

// (a) Keep-alive: one OPEN, then a request read and a response write per exchange.
void BM_KeepAliveGet(benchmark::State& state) {
  CountingTracker ct;
  Feeder f(ct.tracker);
  f.Open(5, 1);
  for (auto _ : state) {
    f.Data(5, 1, HG_INGRESS, kGet);
    f.Data(5, 1, HG_EGRESS, kOk);
  }
  Finish(state, ct, state.iterations(), 2);
}
BENCHMARK(BM_KeepAliveGet);

// (b) A connection per request: OPEN, request, response, CLOSE (the fd is reused, the
// generation changes as the kernel side would).
void BM_ConnectionPerRequest(benchmark::State& state) {
  CountingTracker ct;
  Feeder f(ct.tracker);
  uint64_t gen = 0;
  for (auto _ : state) {
    ++gen;
    f.Open(5, gen);
    f.Data(5, gen, HG_INGRESS, kGet);
    f.Data(5, gen, HG_EGRESS, kOk);
    f.Close(5, gen);
  }
  Finish(state, ct, state.iterations(), 4);
}
BENCHMARK(BM_ConnectionPerRequest);

// (c) 1,000 open keep-alive connections, round robin: each exchange answers the request that
// connection sent one round earlier, then reads its next one, so 1,000 requests are always in
// flight and consecutive events belong to different connections.
void BM_ThousandInterleavedConns(benchmark::State& state) {
  CountingTracker ct;
  Feeder f(ct.tracker);
  for (int fd = 0; fd < kManyConns; ++fd) f.Open(100 + fd, 1);
  for (int fd = 0; fd < kManyConns; ++fd) f.Data(100 + fd, 1, HG_INGRESS, kGet);
  int next = 0;
  for (auto _ : state) {
    f.Data(100 + next, 1, HG_EGRESS, kOk);
    f.Data(100 + next, 1, HG_INGRESS, kGet);
    next = next + 1 == kManyConns ? 0 : next + 1;
  }
  Finish(state, ct, state.iterations(), 2);
}
BENCHMARK(BM_ThousandInterleavedConns);

// (d) What the parsing side's 20 ms poll pays to publish the counters with 10,000 connections
// open, each with a request in flight: stats() (kept incrementally) against RecountStats() (a
// walk over every connection and its parser, what an O(connections) stats() would cost).
template <bool kRecount>
void BM_StatsAtTenThousandConns(benchmark::State& state) {
  CountingTracker ct;
  Feeder f(ct.tracker);
  constexpr int kConns = 10000;
  for (int fd = 0; fd < kConns; ++fd) f.Open(100 + fd, 1);
  for (int fd = 0; fd < kConns; ++fd) f.Data(100 + fd, 1, HG_INGRESS, kGet);
  for (auto _ : state) {
    const TrackerStats st = kRecount ? ct.tracker.RecountStats() : ct.tracker.stats();
    benchmark::DoNotOptimize(st.pending_pairings);
  }
  const TrackerStats st = ct.tracker.stats();
  if (st.open_conns != kConns || st.pending_pairings != kConns)
    state.SkipWithError("not 10,000 connections with a request each");
}
BENCHMARK_TEMPLATE(BM_StatsAtTenThousandConns, false)->Name("BM_StatsAtTenThousandConns/incremental");
BENCHMARK_TEMPLATE(BM_StatsAtTenThousandConns, true)->Name("BM_StatsAtTenThousandConns/recount");

}  // namespace
}  // namespace hugin
