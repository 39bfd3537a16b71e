// What Hugin's programs cost every syscall of every process, watched or not: the same syscall
// loop with no BPF (bpf:0), with only empty programs on Hugin's hooks (bpf:1, harness/floor:
// the kernel's traced-syscall path and the tracepoint dispatch, which no work inside Hugin's
// programs can remove), and with Hugin's object loaded and attached (bpf:2; no process
// watched, so every call is rejected: by syscall number for getppid, by the watched-process
// bitmap for write, a data syscall). bpf:1 - bpf:0 is the hooks' floor; bpf:2 - bpf:1 what
// Hugin's rejecting code adds.
//   bazel run //tests/bpf:syscall_tax_benchmark   (root: it loads BPF)
// CPU time per call is what counts (the loop is single-threaded and CPU-bound).
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <memory>

#include "core/loader/loader.h"
#include "harness/floor/hook_floor.h"

namespace hugin {
namespace {

// What state.range(0) asks for, held for the benchmark's lifetime.
struct Attached {
  std::unique_ptr<harness::HookFloor> floor;
  std::unique_ptr<BpfLoader> hugin;
};

Attached AttachFor(benchmark::State& state) {
  Attached a;
  if (state.range(0) == 1) {
    auto floor = harness::HookFloor::Attach();
    if (!floor) state.SkipWithError(floor.error().message.c_str());
    else a.floor = std::move(floor).value();
  } else if (state.range(0) == 2) {
    auto started = BpfLoader::Start(LoaderOptions{});
    if (!started) state.SkipWithError(started.error().message.c_str());
    else a.hugin = std::move(started).value();
  }
  return a;
}

void BM_Getppid(benchmark::State& state) {
  const Attached attached = AttachFor(state);
  for (auto _ : state) benchmark::DoNotOptimize(syscall(SYS_getppid));
}
BENCHMARK(BM_Getppid)->ArgName("bpf")->Arg(0)->Arg(1)->Arg(2)->MeasureProcessCPUTime();

void BM_WriteDevNull(benchmark::State& state) {
  const Attached attached = AttachFor(state);
  int fd = open("/dev/null", O_WRONLY);
  char b = 0;
  for (auto _ : state) benchmark::DoNotOptimize(write(fd, &b, 1));
  close(fd);
}
BENCHMARK(BM_WriteDevNull)->ArgName("bpf")->Arg(0)->Arg(1)->Arg(2)->MeasureProcessCPUTime();

}  // namespace
}  // namespace hugin
