// The agent's per-request cost, stage by stage, on a synthetic ring buffer stream: 256 keep-alive
// connections taking turns, each exchange one request record and one response record laid out
// as the BPF programs write them (bpf/hugin.h). The mix: GET 200 (short and long paths), POST 201
// with a body, GET 404, DELETE 204.
//   bazel run //core/agent:agent_pipeline_benchmark
// "Time" is ns per request (two records); every stage includes the ones before it:
//   Decode          events::Decode of both records (the floor: touching the records)
//   Track           + ConnTracker: routing, HTTP/1 stitching, span building; the sink counts
//   TrackMetrics    + Metrics::Observe (the metrics-only agent)
//   TrackMetricsJson  + JSON line through TraceLines (the agent's stdout writer) to /dev/null
//   TrackMetricsText  + text line, the same way
#include <benchmark/benchmark.h>

#include <sys/socket.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "core/conn/conn_tracker.h"
#include "core/export/metrics.h"
#include "core/export/trace_lines.h"

namespace hugin {
namespace {

constexpr uint32_t kPid = 4242;
constexpr int kConns = 256;
constexpr int kFirstFd = 10;

struct Exchange {
  std::string request, response;
};

// Shaped like wrk requests and Go net/http answers.
const std::vector<Exchange>& Mix() {
  static const std::vector<Exchange> mix = [] {
    const std::string date = "Date: Mon, 30 Nov 2026 10:02:44 GMT\r\n";
    Exchange get{"GET /hello HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n",
                 "HTTP/1.1 200 OK\r\n" + date +
                     "Content-Length: 5\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nhello"};
    Exchange get_long{
        "GET /api/v1/orders/2026/11/30/items?page=2 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"
        "User-Agent: wrk\r\nAccept: */*\r\n\r\n",
        "HTTP/1.1 200 OK\r\n" + date +
            "Content-Length: 28\r\nContent-Type: application/json\r\n\r\n"
            "{\"id\":42,\"name\":\"Ada Byron\"}"};
    Exchange post{"POST /api/users HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Type: "
                  "application/json\r\nContent-Length: 25\r\n\r\n{\"name\":\"Grace\",\"age\":85}",
                  "HTTP/1.1 201 Created\r\n" + date + "Content-Length: 9\r\n\r\n{\"id\":7}\n"};
    Exchange not_found{"GET /missing HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n",
                       "HTTP/1.1 404 Not Found\r\n" + date +
                           "Content-Length: 19\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                           "404 page not found\n"};
    Exchange del{"DELETE /api/users/7 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n",
                 "HTTP/1.1 204 No Content\r\n" + date + "\r\n"};
    // 20 slots: 12 GET, 2 long GET, 3 POST, 2 404, 1 DELETE.
    std::vector<Exchange> m;
    for (int i = 0; i < 12; ++i) m.push_back(get);
    for (int i = 0; i < 2; ++i) m.push_back(get_long);
    for (int i = 0; i < 3; ++i) m.push_back(post);
    for (int i = 0; i < 2; ++i) m.push_back(not_found);
    m.push_back(del);
    return m;
  }();
  return mix;
}

hg_header Header(uint8_t type, uint8_t dir, uint8_t syscall, int fd) {
  hg_header h{};
  h.type = type;
  h.role = HG_ROLE_SERVER;
  h.dir = dir;
  h.syscall = syscall;
  h.tid = kPid;
  h.conn = {kPid, fd, 1};
  return h;
}

std::vector<char> DataRecord(int fd, uint8_t dir, const std::string& bytes) {
  hg_data_event e{};
  e.h = Header(HG_EV_DATA, dir, dir == HG_INGRESS ? HG_SYS_READ : HG_SYS_WRITE, fd);
  e.len = e.captured = static_cast<uint32_t>(bytes.size());
  std::vector<char> rec(sizeof(e) + bytes.size());
  std::memcpy(rec.data(), &e, sizeof(e));
  std::memcpy(rec.data() + sizeof(e), bytes.data(), bytes.size());
  return rec;
}

// The stream: every connection's OPEN, then exchanges round robin over the connections. The
// records are built once; each replay patches the stream position and the times in place, as
// fresh records would carry them.
class Stream {
 public:
  Stream() {
    for (int c = 0; c < kConns; ++c) {
      const int fd = kFirstFd + c;
      hg_open_event o{};
      o.h = Header(HG_EV_OPEN, HG_INGRESS, HG_SYS_ACCEPT, fd);
      o.addr.family = AF_INET;
      o.addr.lport = 8080;
      o.addr.rport = static_cast<uint16_t>(40000 + c);
      const uint8_t local[4] = {10, 0, 0, 1}, peer[4] = {10, 0, uint8_t(c >> 8), uint8_t(c)};
      std::memcpy(o.addr.laddr, local, 4);
      std::memcpy(o.addr.raddr, peer, 4);
      opens_.emplace_back(sizeof(o));
      std::memcpy(opens_.back().data(), &o, sizeof(o));
      // Connection c starts at a different place in the mix, so neighbours differ.
      for (size_t k = 0; k < Mix().size(); ++k) {
        const Exchange& x = Mix()[(k + c) % Mix().size()];
        exchanges_.push_back({DataRecord(fd, HG_INGRESS, x.request),
                              DataRecord(fd, HG_EGRESS, x.response)});
      }
    }
    pos_.assign(kConns, {0, 0});
  }

  template <typename Feed>
  void Opens(Feed&& feed) {
    for (auto& o : opens_) {
      reinterpret_cast<hg_open_event*>(o.data())->h.ts_ns = ++ts_;
      feed(o.data(), o.size());
    }
  }

  // Request n (0, 1, 2, ...): connection n % kConns, its (n / kConns)-th exchange.
  template <typename Feed>
  void Request(uint64_t n, Feed&& feed) {
    const size_t conn = n % kConns;
    auto& x = exchanges_[conn * Mix().size() + (n / kConns) % Mix().size()];
    for (int dir = 0; dir < 2; ++dir) {
      std::vector<char>& rec = x[dir];
      auto* e = reinterpret_cast<hg_data_event*>(rec.data());
      e->h.ts_ns = (ts_ += 1000);
      e->arrival_ns = dir == HG_INGRESS ? ts_ - 200 : 0;
      e->pos = pos_[conn][dir];
      pos_[conn][dir] += e->len;
      feed(rec.data(), rec.size());
    }
  }

 private:
  std::vector<std::vector<char>> opens_;
  std::vector<std::array<std::vector<char>, 2>> exchanges_;
  std::vector<std::array<uint64_t, 2>> pos_;
  uint64_t ts_ = 1'000'000'000;
};

enum class Stage { kTrack, kMetrics, kJson, kText };

// The agent's span sink (agent.cc), minus the fault injector.
struct Pipeline {
  explicit Pipeline(Stage stage)
      : stage(stage),
        out(std::fopen("/dev/null", "w")),
        lines(out, stage == Stage::kText ? SpanLineFormat::kText : SpanLineFormat::kJson) {
    names[kPid] = "bench-service";
  }
  ~Pipeline() {
    lines.Flush();
    std::fclose(out);
  }

  void OnSpan(Span&& s) {
    ++spans;
    benchmark::DoNotOptimize(s.status);
    if (stage == Stage::kTrack) return;
    metrics.Observe(s);
    if (stage == Stage::kJson || stage == Stage::kText) lines.AddSpan(s);
  }
  void Flush() { lines.Flush(); }

  Stage stage;
  uint64_t spans = 0;
  std::map<uint32_t, std::string> names;
  Metrics metrics;
  FILE* out;
  TraceLines lines;
  ConnTracker tracker{[this](Span&& s) { OnSpan(std::move(s)); },
                      [this](uint32_t pid) -> std::string {
                        auto it = names.find(pid);
                        return it != names.end() ? it->second : "unknown";
                      },
                      0};
};

void BM_Decode(benchmark::State& state) {
  Stream stream;
  uint64_t n = 0, ok = 0;
  auto feed = [&](const void* d, size_t size) {
    auto r = events::Decode(d, size);
    benchmark::DoNotOptimize(r);
    ok += r.ok();
  };
  stream.Opens(feed);
  for (auto _ : state) stream.Request(n++, feed);
  if (ok != 2 * n + kConns) state.SkipWithError("a record did not decode");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Decode);

void RunStage(benchmark::State& state, Stage stage) {
  Stream stream;
  Pipeline p(stage);
  auto feed = [&](const void* d, size_t size) { p.tracker.OnRecord(d, size); };
  stream.Opens(feed);
  uint64_t n = 0;
  for (auto _ : state) stream.Request(n++, feed);
  p.Flush();
  const TrackerStats st = p.tracker.stats();
  // Each request's span comes out when its response record is handled.
  if (p.spans != n || st.parse_errors != 0 || st.decode_errors != 0 || st.stream_gaps != 0)
    state.SkipWithError("spans did not come out one per exchange");
  state.SetItemsProcessed(state.iterations());
}

void BM_Track(benchmark::State& state) { RunStage(state, Stage::kTrack); }
BENCHMARK(BM_Track);
void BM_TrackMetrics(benchmark::State& state) { RunStage(state, Stage::kMetrics); }
BENCHMARK(BM_TrackMetrics);
void BM_TrackMetricsJson(benchmark::State& state) { RunStage(state, Stage::kJson); }
BENCHMARK(BM_TrackMetricsJson);
void BM_TrackMetricsText(benchmark::State& state) { RunStage(state, Stage::kText); }
BENCHMARK(BM_TrackMetricsText);

}  // namespace
}  // namespace hugin
