// Decode cost of one ring buffer record (hugin::events::Decode), on records laid out exactly as
// the BPF programs write them (bpf/hugin.h).
//   bazel run //core/events:decode_benchmark
// "Time" is ns per record; items_per_second is records/s. No bytes/s: Decode copies the fixed part
// and returns the payload as a view, so its cost does not grow with the payload (the 4 KiB case
// shows it).
#include <benchmark/benchmark.h>

#include <sys/socket.h>

#include <cstring>
#include <string>
#include <variant>
#include <vector>

#include "core/events/event.h"

namespace hugin::events {
namespace {

hg_header Header(uint8_t type, uint8_t dir, uint8_t syscall) {
  hg_header h{};
  h.type = type;
  h.role = HG_ROLE_SERVER;
  h.dir = dir;
  h.syscall = syscall;
  h.tid = 4242;
  h.ts_ns = 123456789012345;
  h.conn = {4242, 7, 3};
  return h;
}

// A data record as the ring buffer holds it: the fixed part, then `captured` payload bytes.
std::vector<char> DataRecord(uint32_t captured) {
  hg_data_event e{};
  e.h = Header(HG_EV_DATA, HG_INGRESS, HG_SYS_READ);
  e.pos = 1 << 20;
  e.arrival_ns = e.h.ts_ns - 15000;
  e.len = captured;
  e.captured = captured;
  std::vector<char> rec(sizeof(e) + captured);
  std::memcpy(rec.data(), &e, sizeof(e));
  const std::string head = "GET /api/users/42 HTTP/1.1\r\nHost: localhost:8080\r\n";
  for (size_t i = 0; i < captured; ++i) rec[sizeof(e) + i] = head[i % head.size()];
  return rec;
}

std::vector<char> OpenRecord() {
  hg_open_event e{};
  e.h = Header(HG_EV_OPEN, HG_INGRESS, HG_SYS_ACCEPT);
  e.addr.family = AF_INET;
  e.addr.lport = 8080;
  e.addr.rport = 40000;
  const uint8_t lo[4] = {127, 0, 0, 1};
  std::memcpy(e.addr.laddr, lo, 4);
  std::memcpy(e.addr.raddr, lo, 4);
  std::vector<char> rec(sizeof(e));
  std::memcpy(rec.data(), &e, sizeof(e));
  return rec;
}

// Decodes `rec` once per iteration; fails the benchmark if it does not decode to `T`.
template <typename T>
void DecodeRecord(benchmark::State& state, const std::vector<char>& rec) {
  uint64_t decoded = 0;
  for (auto _ : state) {
    auto r = Decode(rec.data(), rec.size());
    benchmark::DoNotOptimize(r);
    decoded += r.ok() && std::holds_alternative<T>(r.value());
  }
  if (decoded != static_cast<uint64_t>(state.iterations()))
    state.SkipWithError("record did not decode to the expected type");
  state.SetItemsProcessed(state.iterations());
}

void BM_DecodeData256(benchmark::State& state) { DecodeRecord<DataEvent>(state, DataRecord(256)); }
BENCHMARK(BM_DecodeData256);

void BM_DecodeData4KiB(benchmark::State& state) {
  DecodeRecord<DataEvent>(state, DataRecord(HG_MAX_PAYLOAD));
}
BENCHMARK(BM_DecodeData4KiB);

void BM_DecodeOpen(benchmark::State& state) { DecodeRecord<OpenEvent>(state, OpenRecord()); }
BENCHMARK(BM_DecodeOpen);

}  // namespace
}  // namespace hugin::events
