// What Hugin's programs cost every syscall of every process, watched or not: the same syscall
// loop without Hugin's BPF object, then with it loaded and attached (no process watched, so
// every call is rejected). The difference is the syscall-tracepoint tax: the kernel's traced
// syscall path plus the dispatcher's reject (by syscall number for getppid; by the watched-
// process bitmap for write, a data syscall).
//   bazel run //tests/bpf:syscall_tax_benchmark   (root: it loads BPF)
// CPU time per call is what counts (the loop is single-threaded and CPU-bound).
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <memory>

#include "core/loader/loader.h"

namespace hugin {
namespace {

std::unique_ptr<BpfLoader> LoadIf(bool load, benchmark::State& state) {
  if (!load) return nullptr;
  auto started = BpfLoader::Start(LoaderOptions{});
  if (!started) {
    const hugin::Error* err = &started.error();
    state.SkipWithError(err->message.c_str());
    return nullptr;
  }
  return std::move(started).value();
}

void BM_Getppid(benchmark::State& state) {
  auto loader = LoadIf(state.range(0) != 0, state);
  for (auto _ : state) benchmark::DoNotOptimize(syscall(SYS_getppid));
}
BENCHMARK(BM_Getppid)->ArgName("hugin")->Arg(0)->Arg(1)->MeasureProcessCPUTime();

void BM_WriteDevNull(benchmark::State& state) {
  auto loader = LoadIf(state.range(0) != 0, state);
  int fd = open("/dev/null", O_WRONLY);
  char b = 0;
  for (auto _ : state) benchmark::DoNotOptimize(write(fd, &b, 1));
  close(fd);
}
BENCHMARK(BM_WriteDevNull)->ArgName("hugin")->Arg(0)->Arg(1)->MeasureProcessCPUTime();

}  // namespace
}  // namespace hugin
