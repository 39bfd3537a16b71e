// ns per record to consume a BPF ring buffer: RingReader (mmap, the agent's parsing process)
// against libbpf's ring_buffer__consume, on the same records (BPF_PROG_TEST_RUN producer).
// The handler only sums the lengths, so this is the consumer's own cost.
#include <benchmark/benchmark.h>
#include <bpf/libbpf.h>

#include "core/loader/ring_reader.h"
#include "tests/bpf/ringbuf_producer.h"

namespace {

constexpr uint32_t kRing = 1u << 20;
constexpr int kBatch = 1024;

void Fill(hugin::testing_bpf::RingProducer& p, benchmark::State& state) {
  for (int i = 0; i < kBatch; i++)
    if (p.Output(static_cast<uint32_t>(state.range(0)), i, BPF_RB_NO_WAKEUP) != 0)
      state.SkipWithError("producer failed");
}

void BM_RingReader(benchmark::State& state) {
  hugin::testing_bpf::RingProducer p(kRing);
  auto r = hugin::RingReader::Open(p.map_fd(), kRing);
  if (!p.ok() || !r) return state.SkipWithError("setup failed (root?)");
  uint64_t sum = 0;
  hugin::RingReader::Handler h = [&](const void*, size_t n) { sum += n; };
  for (auto _ : state) {
    state.PauseTiming();
    Fill(p, state);
    state.ResumeTiming();
    if ((*r)->Consume(h) != kBatch) state.SkipWithError("short batch");
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations() * kBatch);
}

struct LibbpfCtx {
  const std::function<void(const void*, size_t)>* h;
};
int OnSample(void* ctx, void* data, size_t n) {
  (*static_cast<LibbpfCtx*>(ctx)->h)(data, n);
  return 0;
}

void BM_LibbpfRingBuffer(benchmark::State& state) {
  hugin::testing_bpf::RingProducer p(kRing);
  if (!p.ok()) return state.SkipWithError("setup failed (root?)");
  uint64_t sum = 0;
  std::function<void(const void*, size_t)> h = [&](const void*, size_t n) { sum += n; };
  LibbpfCtx ctx{&h};  // the same std::function hop the loader's Poll makes
  ring_buffer* rb = ring_buffer__new(p.map_fd(), OnSample, &ctx, nullptr);
  if (!rb) return state.SkipWithError("ring_buffer__new failed");
  for (auto _ : state) {
    state.PauseTiming();
    Fill(p, state);
    state.ResumeTiming();
    if (ring_buffer__consume(rb) != kBatch) state.SkipWithError("short batch");
  }
  ring_buffer__free(rb);
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations() * kBatch);
}

BENCHMARK(BM_RingReader)->Arg(64)->Arg(600);
BENCHMARK(BM_LibbpfRingBuffer)->Arg(64)->Arg(600);

}  // namespace
