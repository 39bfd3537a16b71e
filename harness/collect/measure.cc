#include "harness/collect/measure.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "harness/util/process.h"

namespace hugin::harness {

std::optional<CpuTimes> ParseCpuTimes(const std::string& text) {
  std::istringstream in(text);
  std::string label;
  if (!(in >> label) || label != "cpu") return std::nullopt;
  // user nice system idle iowait irq softirq steal [guest guest_nice: already in user/nice]
  uint64_t v[8];
  for (auto& x : v)
    if (!(in >> x)) return std::nullopt;
  CpuTimes t;
  for (auto x : v) t.total_ticks += x;
  t.steal_ticks = v[7];
  return t;
}

std::optional<CpuTimes> ReadCpuTimes() { return ParseCpuTimes(ReadWholeFile("/proc/stat")); }

double StealPercent(const CpuTimes& before, const CpuTimes& after) {
  if (after.total_ticks <= before.total_ticks) return 0;
  return 100.0 * double(after.steal_ticks - before.steal_ticks) /
         double(after.total_ticks - before.total_ticks);
}

std::optional<ProcStat> ParseProcStat(const std::string& text) {
  const auto close_paren = text.rfind(')');
  if (close_paren == std::string::npos) return std::nullopt;
  std::istringstream in(text.substr(close_paren + 1));
  // After the name: state(3) ppid(4) pgrp session tty_nr tpgid flags minflt cminflt majflt
  // cmajflt utime(14) stime(15).
  std::string state;
  ProcStat s;
  long skip = 0;
  if (!(in >> state >> s.ppid)) return std::nullopt;
  for (int i = 5; i <= 13; ++i)
    if (!(in >> skip)) return std::nullopt;
  if (!(in >> s.utime_ticks >> s.stime_ticks)) return std::nullopt;
  return s;
}

namespace {
// The first "<field> <n> kB" line of a /proc text (status, smaps_rollup), in bytes.
std::optional<uint64_t> KbField(const std::string& text, const std::string& field) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field, 0) != 0) continue;
    std::istringstream fields(line.substr(field.size()));
    uint64_t kb = 0;
    std::string unit;
    if (fields >> kb >> unit && unit == "kB") return kb * 1024;
    return std::nullopt;
  }
  return std::nullopt;
}
}  // namespace

std::optional<uint64_t> ParseVmHwmBytes(const std::string& status_text) {
  return KbField(status_text, "VmHWM:");
}

std::optional<uint64_t> ParsePssBytes(const std::string& smaps_rollup_text) {
  return KbField(smaps_rollup_text, "Pss:");
}

std::vector<pid_t> ProcessTree(pid_t root) {
  std::map<pid_t, std::vector<pid_t>> children;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    const auto stat = ParseProcStat(ReadWholeFile(entry.path() / "stat"));
    if (stat) children[stat->ppid].push_back(std::stoi(name));
  }
  std::vector<pid_t> tree{root};
  for (size_t i = 0; i < tree.size(); ++i)
    for (pid_t c : children[tree[i]]) tree.push_back(c);
  return tree;
}

uint64_t TreeCpuMicros(pid_t root) { return ReadTreeCpu(root).ticks_us; }

std::optional<uint64_t> ParseSchedstatRunNs(const std::string& text) {
  std::istringstream in(text);
  uint64_t ns = 0;
  if (!(in >> ns)) return std::nullopt;
  return ns;
}

TreeCpu ReadTreeCpu(pid_t root) {
  TreeCpu t;
  const double us_per_tick = 1e6 / static_cast<double>(sysconf(_SC_CLK_TCK));
  uint64_t ticks = 0;
  for (pid_t pid : ProcessTree(root)) {
    const std::string dir = "/proc/" + std::to_string(pid);
    const auto s = ParseProcStat(ReadWholeFile(dir + "/stat"));
    if (s) ticks += s->utime_ticks + s->stime_ticks;
    std::error_code ec;
    for (const auto& task : std::filesystem::directory_iterator(dir + "/task", ec)) {
      const std::string tid = task.path().filename();
      const auto ns = ParseSchedstatRunNs(ReadWholeFile(task.path() / "schedstat"));
      if (!ns) {
        t.precise = false;
        continue;
      }
      t.thread_ns[static_cast<pid_t>(std::stoi(tid))] = *ns;
    }
  }
  t.ticks_us = static_cast<uint64_t>(static_cast<double>(ticks) * us_per_tick);
  return t;
}

double CpuMicrosBetween(const TreeCpu& before, const TreeCpu& after) {
  if (!before.precise || !after.precise)
    return after.ticks_us > before.ticks_us ? double(after.ticks_us - before.ticks_us) : 0.0;
  uint64_t ns = 0;
  for (const auto& [tid, now] : after.thread_ns) {
    auto was = before.thread_ns.find(tid);
    if (was == before.thread_ns.end()) ns += now;  // started in between
    else if (now > was->second) ns += now - was->second;
  }
  return double(ns) / 1000.0;
}

uint64_t TreePeakRssBytes(pid_t root) {
  uint64_t peak = 0;
  for (pid_t pid : ProcessTree(root)) {
    const auto hwm = ParseVmHwmBytes(ReadWholeFile("/proc/" + std::to_string(pid) + "/status"));
    if (hwm) peak += *hwm;  // the agent is two processes (privilege split): both count
  }
  return peak;
}

uint64_t TreePssBytes(pid_t root) {
  uint64_t pss = 0;
  for (pid_t pid : ProcessTree(root)) {
    const auto p = ParsePssBytes(ReadWholeFile("/proc/" + std::to_string(pid) + "/smaps_rollup"));
    if (p) pss += *p;
  }
  return pss;
}

std::optional<BpfStats> ParseBpftoolProgJson(const std::string& json_text,
                                             const std::string& prefix, int owner_pid,
                                             std::string& error,
                                             const std::set<uint32_t>& owned_ids) {
  try {
    const auto programs = nlohmann::json::parse(json_text);
    if (!programs.is_array()) {
      error = "bpftool output is not a JSON array";
      return std::nullopt;
    }
    BpfStats stats;
    std::map<std::string, BpfProgramStats> per_name;
    for (const auto& p : programs) {
      const std::string name = p.value("name", "");
      if (name.rfind(prefix, 0) != 0) continue;
      if (!owned_ids.empty() && !owned_ids.count(p.value("id", uint32_t{0}))) continue;
      if (owner_pid > 0 && p.contains("pids") && p["pids"].is_array()) {
        bool held = false;
        for (const auto& holder : p["pids"]) held |= holder.value("pid", 0) == owner_pid;
        if (!held) continue;
      }
      ++stats.programs;
      const uint64_t ns = p.value("run_time_ns", uint64_t{0}), cnt = p.value("run_cnt", uint64_t{0});
      stats.run_time_ns += ns;
      stats.run_cnt += cnt;
      per_name[name].name = name;
      per_name[name].run_time_ns += ns;
      per_name[name].run_cnt += cnt;
    }
    for (auto& [name, prog] : per_name) stats.per_program.push_back(prog);
    return stats;
  } catch (const std::exception& e) {
    error = std::string("cannot parse bpftool JSON: ") + e.what();
    return std::nullopt;
  }
}

std::optional<BpfStats> ReadBpfStats(const std::string& prefix, int owner_pid,
                                     std::string& error) {
  std::string out;
  const int code = RunCommand({"bpftool", "prog", "show", "-j"}, out, std::chrono::seconds(10));
  if (code != 0) {
    error = "bpftool prog show -j exited with " + std::to_string(code);
    return std::nullopt;
  }
  return ParseBpftoolProgJson(out, prefix, owner_pid, error,
                              owner_pid > 0 ? OwnedBpfProgramIds(owner_pid) : std::set<uint32_t>{});
}

std::optional<uint32_t> ParseFdinfoProgId(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("prog_id:", 0) != 0) continue;
    try {
      return static_cast<uint32_t>(std::stoul(line.substr(8)));
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

std::set<uint32_t> OwnedBpfProgramIds(int pid) {
  std::set<uint32_t> ids;
  std::error_code ec;
  for (const auto& e :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fdinfo", ec))
    if (const auto id = ParseFdinfoProgId(ReadWholeFile(e.path()))) ids.insert(*id);
  return ids;
}

BpfStats SubtractBpfStats(const BpfStats& after, const BpfStats& before) {
  BpfStats d;
  d.programs = after.programs;
  d.run_time_ns = after.run_time_ns - before.run_time_ns;
  d.run_cnt = after.run_cnt - before.run_cnt;
  for (const BpfProgramStats& a : after.per_program) {
    BpfProgramStats p = a;
    for (const BpfProgramStats& b : before.per_program) {
      if (b.name != a.name) continue;
      p.run_time_ns -= b.run_time_ns;
      p.run_cnt -= b.run_cnt;
    }
    d.per_program.push_back(p);
  }
  return d;
}

namespace {
const char* kBpfStatsPath = "/proc/sys/kernel/bpf_stats_enabled";
}

BpfStatsSwitch::BpfStatsSwitch() {
  previous_ = ReadWholeFile(kBpfStatsPath);
  std::ofstream out(kBpfStatsPath);
  out << "1\n";
  out.flush();
  enabled_ = out.good() && ReadWholeFile(kBpfStatsPath).rfind("1", 0) == 0;
}

BpfStatsSwitch::~BpfStatsSwitch() {
  if (previous_.empty() || previous_.rfind("1", 0) == 0) return;
  std::ofstream out(kBpfStatsPath);
  out << previous_;
}

}  // namespace hugin::harness
