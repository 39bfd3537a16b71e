// perf record of one running process over a window, then `perf script` of what it sampled.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "harness/util/process.h"

namespace hugin::harness {

struct PerfOptions {
  int frequency_hz = 999;
  // Call chains: frame pointers (Go keeps them) or DWARF (the agent is built -O2 without frame
  // pointers; DWARF unwinding copies the stack per sample, ~16 KiB).
  bool dwarf = false;
};

class PerfRecorder {
 public:
  // Attaches `perf record -F <hz> -g|--call-graph dwarf -p <pid,pid...> -o <dir>/<name>.data`
  // (its stdout/stderr in <dir>/<name>.perf.out/.err): every thread of each process in `pids`.
  // nullopt with `error` set when perf cannot start.
  static std::optional<PerfRecorder> Start(const std::vector<pid_t>& pids, const std::string& dir,
                                           const std::string& name, const PerfOptions& options,
                                           std::string& error);
  // Stops the recording (SIGTERM: perf writes its data and exits) and returns `perf script -F
  // tid,period,ip,sym` of it; nullopt with `error` when nothing usable came out.
  std::optional<std::string> StopAndScript(std::string& error);
  // The recorded data file (removed with the run's raw files unless kept).
  const std::string& data_path() const { return data_; }

 private:
  PerfRecorder(ChildProcess child, std::string data, std::string log)
      : child_(std::move(child)), data_(std::move(data)), log_(std::move(log)) {}
  ChildProcess child_;
  std::string data_, log_;
};

}  // namespace hugin::harness
