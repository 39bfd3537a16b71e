// Resource measurements: CPU time of a process tree (/proc/PID/stat), peak RSS
// (/proc/PID/status VmHWM) and kernel time spent in Hugin's BPF programs (bpftool, with
// kernel.bpf_stats_enabled=1).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "harness/model/run_result.h"

namespace hugin::harness {

// The machine-wide "cpu" line of /proc/stat, in clock ticks: all time and the part of it the
// hypervisor gave to someone else (steal). A VM shared with other guests shows it here.
struct CpuTimes {
  uint64_t total_ticks = 0;
  uint64_t steal_ticks = 0;
};
std::optional<CpuTimes> ParseCpuTimes(const std::string& proc_stat_text);
std::optional<CpuTimes> ReadCpuTimes();
// Steal as a percentage of all CPU time between two readings (0 when nothing elapsed).
double StealPercent(const CpuTimes& before, const CpuTimes& after);

struct ProcStat {
  pid_t ppid = 0;
  uint64_t utime_ticks = 0;
  uint64_t stime_ticks = 0;
};

// Parses the content of /proc/PID/stat (the command name may hold spaces and parentheses).
std::optional<ProcStat> ParseProcStat(const std::string& text);
// The "VmHWM:  1234 kB" line of /proc/PID/status, in bytes.
std::optional<uint64_t> ParseVmHwmBytes(const std::string& status_text);

// pid and all its live descendants.
std::vector<pid_t> ProcessTree(pid_t root);
// user+system CPU of the tree in microseconds (live processes only), from /proc/PID/stat: its
// resolution is the clock tick (10 ms). For short-lived helpers (dumpcap); a run's service and
// agent CPU use TreeCpu below.
uint64_t TreeCpuMicros(pid_t root);

// The time on CPU of every live thread of a process tree, in ns, from
// /proc/PID/task/TID/schedstat. A fixed-rate run's whole agent CPU is 10-40 ms: at /proc/PID/stat's
// 10 ms ticks that was read as 2, 3 or 4 ticks (0.6 to 1.1 µs per request at 7000 req/s,
// results/round8), where schedstat resolves nanoseconds.
struct TreeCpu {
  std::map<pid_t, uint64_t> thread_ns;  // tid -> ns on CPU
  bool precise = true;  // false: a thread had no schedstat (CONFIG_SCHED_INFO off)
  uint64_t ticks_us = 0;  // the tree's TreeCpuMicros at the same reading, the fallback
};
TreeCpu ReadTreeCpu(pid_t root);
// The first field of a schedstat file (ns on CPU).
std::optional<uint64_t> ParseSchedstatRunNs(const std::string& text);
// CPU the tree used between two readings, µs: each thread's growth, a thread new in `after`
// counted whole. A thread that exited in between is not counted after `before` (the fixtures and
// the agent keep their threads). Either reading imprecise: the tick figures' difference.
double CpuMicrosBetween(const TreeCpu& before, const TreeCpu& after);
// The tree's processes' peak RSS (VmHWM) summed, bytes: the agent is two processes since the
// privilege split. Pages both map (libraries, the ring buffer) count twice; PSS does not.
uint64_t TreePeakRssBytes(pid_t root);
// The "Pss:  1234 kB" line of /proc/PID/smaps_rollup, in bytes.
std::optional<uint64_t> ParsePssBytes(const std::string& smaps_rollup_text);
// The tree's proportional set size now (PSS summed, bytes): each shared page counted once
// across the processes that map it, which is what the agent costs the machine's memory.
uint64_t TreePssBytes(pid_t root);

// Sums run_time_ns/run_cnt over `bpftool prog show -j` entries whose name starts with `prefix`.
// When `owner_pid` > 0 and bpftool lists the holders of a program ("pids"), programs not held by
// that process are skipped (another Hugin on the machine must not count).
// `owned_ids` (when not empty): only programs with these ids count. bpftool built without BPF
// skeletons lists no "pids", and another Hugin on the machine (a colleague's test) then counts,
// and its programs coming and going between two readings make a delta wrap around.
std::optional<BpfStats> ParseBpftoolProgJson(const std::string& json_text,
                                             const std::string& prefix, int owner_pid,
                                             std::string& error,
                                             const std::set<uint32_t>& owned_ids = {});
// The BPF program ids a process holds (prog and link fds): "prog_id:" lines of
// /proc/PID/fdinfo/*; `fdinfo_text` is one fdinfo file's content.
std::optional<uint32_t> ParseFdinfoProgId(const std::string& fdinfo_text);
std::set<uint32_t> OwnedBpfProgramIds(int pid);
// after - before, in total and per program (a program only in `after` keeps its figures).
BpfStats SubtractBpfStats(const BpfStats& after, const BpfStats& before);
// Programs named prefix* that `owner_pid` holds (by fdinfo, else bpftool's "pids").
std::optional<BpfStats> ReadBpfStats(const std::string& prefix, int owner_pid, std::string& error);

// Turns kernel.bpf_stats_enabled on for the lifetime of the object, restoring the old value.
class BpfStatsSwitch {
 public:
  BpfStatsSwitch();
  ~BpfStatsSwitch();
  bool enabled() const { return enabled_; }

 private:
  std::string previous_;
  bool enabled_ = false;
};

}  // namespace hugin::harness
