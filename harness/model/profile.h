// What a perf profile of one process over a run's measured load came to: its samples sorted
// into named cost groups (analyze/cost_groups.h). Plain data shared by collect, analyze, report.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace hugin::harness {

// One perf sample: its call chain (collect/perf_script.h reads them).
struct PerfFrame {
  uint64_t ip = 0;
  std::string symbol;   // as perf prints it (C++ demangled, Go package paths); "[unknown]"
  bool kernel = false;  // a kernel address: the kernel proper or a JIT-ed BPF program
};

struct PerfSample {
  std::vector<PerfFrame> frames;  // leaf first; empty when perf could not resolve any frame
};


// The symbols that drew the most samples into a group (the sample's leaf frame), so that an
// "other" group can be read and the group table extended.
struct SymbolSamples {
  std::string symbol;
  uint64_t samples = 0;
};

struct GroupSamples {
  std::string group;
  uint64_t samples = 0;
  std::vector<SymbolSamples> top;  // most samples first, at most a few
};

struct Profile {
  std::string process;   // "service" or "agent"
  std::string error;     // perf missing or failed: the reason; the groups are then empty
  uint64_t samples = 0;  // every sample perf recorded for the process
  // Every group of the table in its order, zeros included; their samples add up to `samples`.
  std::vector<GroupSamples> groups;
  double cpu_us = 0;     // the process's CPU over the profiled window (/proc), what shares split
  bool ok() const { return error.empty(); }
};

}  // namespace hugin::harness
