// What Hugin's programs cost every syscall of every process, watched or not: the same syscall
// loop with no BPF (bpf:0), with only empty programs on Hugin's hooks (bpf:1, harness/floor:
// the kernel's traced-syscall path and the tracepoint dispatch, which no work inside Hugin's
// programs can remove), and with Hugin's object loaded and attached (bpf:2; no process
// watched, so every call is rejected: by syscall number for getppid, by the watched-process
// bitmap for write, a data syscall). bpf:1 - bpf:0 is the hooks' floor; bpf:2 - bpf:1 what
// Hugin's rejecting code adds. sockets:0 / sockets:1: on the syscall or the socket data path
// (bpf/progs/sock_io.bpf.c): a syscall that is no socket call runs no program on the latter.
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
  const DataPath path = state.range(1) ? DataPath::kSockets : DataPath::kSyscalls;
  if (state.range(0) == 1) {
    auto floor = harness::HookFloor::Attach(path);
    if (!floor) state.SkipWithError(floor.error().message.c_str());
    else a.floor = std::move(floor).value();
  } else if (state.range(0) == 2) {
    LoaderOptions o;
    o.data_path = path;
    auto started = BpfLoader::Start(o);
    if (!started) state.SkipWithError(started.error().message.c_str());
    else a.hugin = std::move(started).value();
  }
  return a;
}

void BM_Getppid(benchmark::State& state) {
  const Attached attached = AttachFor(state);
  for (auto _ : state) benchmark::DoNotOptimize(syscall(SYS_getppid));
}
// bpf: 0 none, 1 the hook floor, 2 Hugin; sockets: 0 the syscall data path, 1 the socket one.
#define HUGIN_TAX_ARGS                                                                  \
  ArgNames({"bpf", "sockets"})->Args({0, 0})->Args({1, 0})->Args({1, 1})->Args({2, 0})  \
      ->Args({2, 1})->MeasureProcessCPUTime()
BENCHMARK(BM_Getppid)->HUGIN_TAX_ARGS;

void BM_WriteDevNull(benchmark::State& state) {
  const Attached attached = AttachFor(state);
  int fd = open("/dev/null", O_WRONLY);
  char b = 0;
  for (auto _ : state) benchmark::DoNotOptimize(write(fd, &b, 1));
  close(fd);
}
BENCHMARK(BM_WriteDevNull)->HUGIN_TAX_ARGS;

}  // namespace
}  // namespace hugin
