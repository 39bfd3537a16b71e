#include "core/discovery/discovery.h"

#include <dirent.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace hugin {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

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

Discovery::Discovery(Selector sel, std::string proc_root, uint32_t self_pid)
    : sel_(std::move(sel)), proc_(std::move(proc_root)), self_pid_(self_pid) {}

std::set<uint64_t> Discovery::ListeningInodes(const std::string& text,
                                              const std::function<bool(uint16_t)>& selected) {
  // Rows: "sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ..."
  // local_address is HEXIP:HEXPORT; st 0A is TCP_LISTEN.
  std::set<uint64_t> inodes;
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::istringstream row(line);
    std::string sl, local, remote, st, queues, timer, retr, uid, timeout;
    uint64_t inode = 0;
    if (!(row >> sl >> local >> remote >> st >> queues >> timer >> retr >> uid >> timeout >> inode))
      continue;
    if (st != "0A") continue;
    auto colon = local.rfind(':');
    if (colon == std::string::npos) continue;
    unsigned long port = std::strtoul(local.c_str() + colon + 1, nullptr, 16);
    if (port == 0 || port > 65535) continue;
    if (selected(static_cast<uint16_t>(port)) && inode != 0) inodes.insert(inode);
  }
  return inodes;
}

bool Discovery::Matches(uint32_t pid, const std::set<uint64_t>& inodes, ProcessInfo* info) const {
  std::string base = proc_ + "/" + std::to_string(pid);
  info->pid = pid;
  info->exe = ExecutableOf(pid, proc_);
  if (info->exe.empty()) return false;  // kernel thread, or vanished
  info->service_name = ServiceNameOfExecutable(info->exe);
  if (sel_.exe_regex && !std::regex_search(info->exe, *sel_.exe_regex)) return false;
  if (!sel_.port_selected) return true;
  DIR* d = opendir((base + "/fd").c_str());
  if (!d) return false;
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
  std::set<uint64_t> inodes;
  if (sel_.port_selected) {
    for (const char* f : {"/net/tcp", "/net/tcp6"}) {
      auto part = ListeningInodes(ReadFile(proc_ + f), sel_.port_selected);
      inodes.insert(part.begin(), part.end());
    }
  }
  std::map<uint32_t, ProcessInfo> now;
  if (!sel_.port_selected || !inodes.empty()) {
    DIR* d = opendir(proc_.c_str());
    while (d && true) {
      dirent* e = readdir(d);
      if (!e) break;
      if (!AllDigits(e->d_name)) continue;
      uint32_t pid = static_cast<uint32_t>(std::strtoul(e->d_name, nullptr, 10));
      if (pid == self_pid_) continue;
      ProcessInfo info;
      if (Matches(pid, inodes, &info)) now[pid] = std::move(info);
    }
    if (d) closedir(d);
  }
  Changes ch;
  for (auto& [pid, info] : now)
    if (!current_.count(pid)) ch.added.push_back(info);
  for (auto& [pid, info] : current_)
    if (!now.count(pid)) ch.removed.push_back(pid);
  current_ = std::move(now);
  return ch;
}

}  // namespace hugin
