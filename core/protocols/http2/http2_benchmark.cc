// Connection throughput with a warm HPACK table: one exchange per iteration on one connection.
//   bazel run -c opt //core/protocols/http2:http2_benchmark
// "Time" is ns per exchange (request + response bytes fed, record taken).
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "core/protocols/http2/connection.h"
#include "core/protocols/http2/h2_testing.h"

namespace hugin::http2 {
namespace {

using namespace testing;

// Wire bytes of `n` exchanges made by `make(id, ce, se, client, server)`, after a warm-up one.
template <typename Make>
void Run(benchmark::State& state, Make make) {
  constexpr int kPerBatch = 1000;
  Encoder ce, se;
  std::vector<std::string> client, server;
  client.push_back(ClientStart());
  server.push_back(ServerStart());
  for (int i = 0; i < kPerBatch; ++i) {
    std::string c, s;
    make(static_cast<uint32_t>(1 + 2 * i), ce, se, &c, &s);
    client.push_back(c);
    server.push_back(s);
  }
  uint64_t exchanges = 0, bytes = 0;
  for (auto _ : state) {
    state.PauseTiming();
    Options o;
    o.streams_start_at_zero = true;
    Connection conn(o);
    uint64_t cpos = 0, spos = 0, ts = 0;
    std::vector<Exchange> out;
    out.reserve(kPerBatch);
    state.ResumeTiming();
    for (size_t i = 0; i < client.size(); ++i) {
      conn.OnData(Sender::kClient,
                  Chunk{cpos, static_cast<uint32_t>(client[i].size()), client[i], ++ts});
      cpos += client[i].size();
      conn.OnData(Sender::kServer,
                  Chunk{spos, static_cast<uint32_t>(server[i].size()), server[i], ++ts});
      spos += server[i].size();
    }
    conn.TakeExchanges(out);
    exchanges += out.size();
    bytes += cpos + spos;
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(exchanges));
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.counters["ns_per_exchange"] = benchmark::Counter(
      static_cast<double>(exchanges), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_GrpcUnary(benchmark::State& state) {
  Run(state, [](uint32_t id, Encoder& ce, Encoder& se, std::string* c, std::string* s) {
    *c = Cat({ce.Headers(id, GrpcRequest("/hugin.fixture.Echo/Unary"), false),
              Data(id, GrpcMessage(9), true)});
    *s = Cat({se.Headers(id, GrpcResponseHead(), false), Data(id, GrpcMessage(64), false),
              se.Headers(id, GrpcTrailers(0), true)});
  });
}
BENCHMARK(BM_GrpcUnary);

void BM_Http2Get(benchmark::State& state) {
  Run(state, [](uint32_t id, Encoder& ce, Encoder& se, std::string* c, std::string* s) {
    *c = ce.Headers(id, GetRequest("/api/items/" + std::to_string(id % 10)), true);
    *s = Cat({se.Headers(id, Response(200), false), Data(id, std::string(512, 'x'), true)});
  });
}
BENCHMARK(BM_Http2Get);

}  // namespace
}  // namespace hugin::http2
