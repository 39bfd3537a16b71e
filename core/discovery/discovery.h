// Which processes to watch: those with a listening TCP socket on a selected
// port (/proc/net/tcp{,6} -> socket inode -> /proc/PID/fd), and/or whose
// executable path matches a regex (/proc/PID/exe). Re-run periodically so
// processes started later are picked up and dead ones dropped.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace hugin {

struct ProcessInfo {
  uint32_t pid = 0;
  std::string exe;           // /proc/PID/exe target ("/usr/bin/node")
  std::string service_name;  // executable base name ("node")
};

// /proc/PID/exe's target ("/usr/bin/node"); empty for a kernel thread or a vanished pid.
std::string ExecutableOf(uint32_t pid, const std::string& proc_root = "/proc");
// The service name an executable path gives: its base name, without " (deleted)".
std::string ServiceNameOfExecutable(const std::string& exe);

struct Selector {
  std::function<bool(uint16_t)> port_selected;  // null: not selecting by port
  std::optional<std::regex> exe_regex;          // unset: not selecting by executable
};

class Discovery {
 public:
  explicit Discovery(Selector sel, std::string proc_root = "/proc", uint32_t self_pid = 0);

  struct Changes {
    std::vector<ProcessInfo> added;
    std::vector<uint32_t> removed;
  };
  // Scans /proc once; returns what changed since the previous scan.
  Changes Rescan();
  const std::map<uint32_t, ProcessInfo>& current() const { return current_; }

  // Listening TCP socket inodes whose local port passes `selected` (parses
  // the /proc/net/tcp format; exposed for tests).
  static std::set<uint64_t> ListeningInodes(const std::string& proc_net_tcp_text,
                                            const std::function<bool(uint16_t)>& selected);

 private:
  bool Matches(uint32_t pid, const std::set<uint64_t>& inodes, ProcessInfo* info) const;

  Selector sel_;
  std::string proc_;
  uint32_t self_pid_;
  std::map<uint32_t, ProcessInfo> current_;
};

}  // namespace hugin
