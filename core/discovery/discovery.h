// Which processes to watch: those with a listening TCP socket on a selected
// port (sock_diag netlink -> socket inode -> /proc/PID/fd), and/or whose
// executable path matches a regex (/proc/PID/exe). Re-run periodically so
// processes started later are picked up and dead ones dropped.
//
// By port, a rescan reads /proc/PID/fd only where something can have
// changed, not for every process every time:
// - every pid, when the set of selected listening socket inodes changed
//   (a listener opened or closed) -- and on the first scan;
// - a pid not seen in the previous scan (fork: a pre-forked server's new
//   worker inherits the listening socket, so it is a new pid holding it);
// - a pid seen before whose executable changed (exec); with --executable-name
//   this is checked for every pid, by port only for the watched ones.
// A pid is "seen before" when /proc lists it with the same directory inode
// as last time: a new process under a reused pid gets a new /proc inode, and
// if the kernel ever re-creates the inode of a live process, that pid is only
// looked at once more. A watched pid that is gone is dropped without walking
// anything. What this does not notice until the listening set changes: a pid
// that was not holding a selected socket and receives one over a unix socket
// (SCM_RIGHTS) or pidfd_getfd, and a watched pid that closes its copy of a
// listening socket another process still holds (it stays watched until it
// exits or execs).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "core/config/executable_matcher.h"
#include "core/discovery/listening_sockets.h"

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
  std::optional<ExecutableMatcher> exe_matcher;  // unset: not selecting by executable
};

// Where listening sockets come from: sock_diag by default; tests substitute it.
using ListeningSocketSource =
    std::function<Result<std::vector<ListeningSocket>>(const PortFilter&)>;

class Discovery {
 public:
  // When `sockets` fails, discovery reads proc_root/net/tcp{,6} from then on
  // (and says so once, in Changes::notice).
  explicit Discovery(Selector sel, std::string proc_root = "/proc", uint32_t self_pid = 0,
                     ListeningSocketSource sockets = ListTcpListeningSockets);

  struct Changes {
    std::vector<ProcessInfo> added;
    std::vector<uint32_t> removed;
    // A one-line message for the user, "hugin: ..." (empty: nothing to say).
    std::string notice;
  };
  // Scans once; returns what changed since the previous scan.
  Changes Rescan();
  const std::map<uint32_t, ProcessInfo>& current() const { return current_; }

  // What the scans cost so far (tests check what was skipped).
  struct Stats {
    uint64_t scans = 0;
    uint64_t full_walks = 0;    // scans that looked at every pid's fds
    uint64_t fd_dirs_read = 0;  // /proc/PID/fd directories read
    uint64_t exe_links_read = 0;  // /proc/PID/exe links read
  };
  const Stats& stats() const { return stats_; }
  bool using_proc_net_tcp() const { return use_proc_net_tcp_; }

 private:
  std::set<uint64_t> SelectedListeningInodes(std::string* notice);
  bool Matches(uint32_t pid, const std::set<uint64_t>& inodes, ProcessInfo* info);
  // ExecutableOf for this discovery's /proc, counted in stats_.exe_links_read.
  std::string ReadExe(uint32_t pid);

  // A pid as the previous scan left it (port selection only).
  struct Seen {
    uint64_t dir_ino = 0;  // inode of /proc/PID: identifies the process behind the pid
    std::string exe;
    bool matched = false;
  };

  Selector sel_;
  std::string proc_;
  uint32_t self_pid_;
  ListeningSocketSource sockets_;
  bool use_proc_net_tcp_ = false;
  std::optional<std::set<uint64_t>> prev_inodes_;  // unset: no scan by port yet
  std::unordered_map<uint32_t, Seen> seen_;
  std::map<uint32_t, ProcessInfo> current_;
  Stats stats_;
};

}  // namespace hugin
