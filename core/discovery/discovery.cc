#include "core/discovery/discovery.h"

#include <dirent.h>
#include <unistd.h>

#include <utility>

namespace hugin {
namespace {

std::string ReadLink(const std::string& path) {
  char buf[4096];
  ssize_t n = readlink(path.c_str(), buf, sizeof(buf) - 1);
  if (n <= 0) return "";
  return std::string(buf, n);
}

bool AllDigits(const char* s) {
  if (!*s) return false;
  for (; *s; s++)
    if (*s < '0' || *s > '9') return false;
  return true;
}

}  // namespace

std::string ExecutableOf(uint32_t pid, const std::string& proc_root) {
  return ReadLink(proc_root + "/" + std::to_string(pid) + "/exe");
}

std::string ServiceNameOfExecutable(const std::string& exe) {
  std::string p = exe;
  const std::string kDeleted = " (deleted)";
  if (p.size() > kDeleted.size() && p.compare(p.size() - kDeleted.size(), kDeleted.size(), kDeleted) == 0)
    p.resize(p.size() - kDeleted.size());
  auto slash = p.rfind('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

Discovery::Discovery(Selector sel, std::string proc_root, uint32_t self_pid,
                     ListeningSocketSource sockets)
    : sel_(std::move(sel)),
      proc_(std::move(proc_root)),
      self_pid_(self_pid),
      sockets_(std::move(sockets)) {}

std::set<uint64_t> Discovery::SelectedListeningInodes(std::string* notice) {
  std::vector<ListeningSocket> listening;
  bool have = false;
  if (!use_proc_net_tcp_) {
    auto got = sockets_(sel_.port_selected);
    if (got.ok()) {
      listening = std::move(got).value();
      have = true;
    } else {
      // Asked again every scan, a missing tcp_diag module would make the
      // kernel run modprobe every scan: fall back for good.
      use_proc_net_tcp_ = true;
      *notice = "hugin: " + got.error().message +
                "; finding listening sockets in /proc/net/tcp{,6} instead (slower: it lists every "
                "connection)";
    }
  }
  if (!have) listening = ReadProcNetTcp(proc_, sel_.port_selected);
  std::set<uint64_t> inodes;
  for (const auto& s : listening)
    if (s.inode != 0) inodes.insert(s.inode);
  return inodes;
}

std::string Discovery::ReadExe(uint32_t pid) {
  stats_.exe_links_read++;
  return ExecutableOf(pid, proc_);
}

bool Discovery::Matches(uint32_t pid, const std::set<uint64_t>& inodes, ProcessInfo* info) {
  std::string base = proc_ + "/" + std::to_string(pid);
  info->pid = pid;
  info->exe = ReadExe(pid);
  if (info->exe.empty()) return false;  // kernel thread, or vanished
  info->service_name = ServiceNameOfExecutable(info->exe);
  if (sel_.exe_matcher && !sel_.exe_matcher->Matches(info->exe)) return false;
  if (!sel_.port_selected) return true;
  DIR* d = opendir((base + "/fd").c_str());
  if (!d) return false;
  stats_.fd_dirs_read++;
  bool found = false;
  while (dirent* e = readdir(d)) {
    if (!AllDigits(e->d_name)) continue;
    std::string target = ReadLink(base + "/fd/" + e->d_name);
    // "socket:[12345]"
    if (target.rfind("socket:[", 0) != 0) continue;
    uint64_t inode = std::strtoull(target.c_str() + 8, nullptr, 10);
    if (inodes.count(inode)) {
      found = true;
      break;
    }
  }
  closedir(d);
  return found;
}

Discovery::Changes Discovery::Rescan() {
  Changes ch;
  stats_.scans++;
  const bool by_port = static_cast<bool>(sel_.port_selected);
  std::set<uint64_t> inodes;
  if (by_port) inodes = SelectedListeningInodes(&ch.notice);
  // By port, a pid seen in the previous scan keeps its verdict unless the
  // listening set changed or it exec'd (see discovery.h).
  const bool walk_all = !by_port || !prev_inodes_ || *prev_inodes_ != inodes;
  std::map<uint32_t, ProcessInfo> now;
  std::unordered_map<uint32_t, Seen> seen;
  if (!by_port || !inodes.empty()) {
    if (by_port && walk_all) stats_.full_walks++;
    DIR* d = opendir(proc_.c_str());
    while (d) {
      dirent* e = readdir(d);
      if (!e) break;
      if (!AllDigits(e->d_name)) continue;
      uint32_t pid = static_cast<uint32_t>(std::strtoul(e->d_name, nullptr, 10));
      if (pid == self_pid_) continue;
      const uint64_t dir_ino = e->d_ino;
      ProcessInfo info;
      bool matched = false;
      auto before = walk_all ? seen_.end() : seen_.find(pid);
      bool known = before != seen_.end() && before->second.dir_ino == dir_ino;
      // exec keeps the pid and may change the verdict: a readlink, cheap.
      if (known && (before->second.matched || sel_.exe_matcher) &&
          ReadExe(pid) != before->second.exe)
        known = false;
      if (known) {
        matched = before->second.matched;
        auto cur = current_.find(pid);  // a matched pid is in current_
        if (matched && cur != current_.end()) {
          info = cur->second;
        } else {
          info.pid = pid;
          info.exe = before->second.exe;
          matched = false;
        }
      } else {
        matched = Matches(pid, inodes, &info);
      }
      // A pid whose executable could not be read is a kernel thread (it never gets one) or
      // a process exiting (it will not listen again): it keeps that verdict while its /proc
      // directory lives. Looked at again every scan, the ~60 kernel threads of a small VM
      // cost 60 failed readlinks a second, a fifth of an idle agent's CPU.
      if (by_port) seen[pid] = Seen{dir_ino, info.exe, matched};
      if (matched) now[pid] = std::move(info);
    }
    if (d) closedir(d);
  }
  if (by_port) prev_inodes_ = std::move(inodes);
  seen_ = std::move(seen);
  for (auto& [pid, info] : now)
    if (!current_.count(pid)) ch.added.push_back(info);
  for (auto& [pid, info] : current_)
    if (!now.count(pid)) ch.removed.push_back(pid);
  current_ = std::move(now);
  return ch;
}

}  // namespace hugin
