#include "core/privsep/drop_privileges.h"

#include <dirent.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

namespace hugin::privsep {
namespace {

std::string Errno(const std::string& what) { return what + " (" + std::strerror(errno) + ")"; }

}  // namespace

Result<UnprivilegedUser> LookUpUser(const std::string& name) {
  errno = 0;
  passwd* pw = getpwnam(name.c_str());
  if (!pw)
    return Error{"user " + name + " does not exist (--user / HUGIN_USER names the user the parsing process runs as)"};
  if (pw->pw_uid == 0 || pw->pw_gid == 0)
    return Error{"user " + name + " is root or in group root; the parsing process must run unprivileged"};
  return UnprivilegedUser{name, pw->pw_uid, pw->pw_gid};
}

void CloseFdsExcept(const std::set<int>& keep) {
  std::vector<int> fds;
  DIR* d = opendir("/proc/self/fd");
  if (!d) return;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    int fd = std::atoi(e->d_name);
    if (fd != dirfd(d) && !keep.count(fd)) fds.push_back(fd);
  }
  closedir(d);
  for (int fd : fds) close(fd);
}

Result<CapSets> ParseCapSets(const std::string& text) {
  CapSets c;
  int found = 0;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    uint64_t* dst = line.rfind("CapInh:", 0) == 0   ? &c.inh
                    : line.rfind("CapPrm:", 0) == 0 ? &c.prm
                    : line.rfind("CapEff:", 0) == 0 ? &c.eff
                    : line.rfind("CapAmb:", 0) == 0 ? &c.amb
                                                    : nullptr;
    if (!dst) continue;
    // "CapEff:\t000001ffffffffff": hex digits after the tab.
    const char* first = line.data() + 7;
    const char* last = line.data() + line.size();
    while (first < last && (*first == '\t' || *first == ' ')) first++;
    auto [end, ec] = std::from_chars(first, last, *dst, 16);
    if (ec != std::errc() || end == first)
      return Error{"cannot read " + line.substr(0, 6) + " in /proc/self/status"};
    found++;
  }
  if (found != 4) return Error{"/proc/self/status lacks one of CapInh, CapPrm, CapEff, CapAmb"};
  return c;
}

Status DropPrivileges(const UnprivilegedUser& user, pid_t parent) {
  // The bounding set first, while CAP_SETPCAP may still be there (root has it; a minimal set
  // does not, and then no_new_privs below is what keeps execve from gaining anything).
  for (int cap = 0; cap <= 63; cap++) {
    if (prctl(PR_CAPBSET_READ, cap) != 1) continue;
    if (prctl(PR_CAPBSET_DROP, cap) != 0) break;
  }
  if (setgroups(0, nullptr) != 0) return Error{Errno("cannot drop supplementary groups")};
  if (setresgid(user.gid, user.gid, user.gid) != 0)
    return Error{Errno("cannot switch to group " + std::to_string(user.gid))};
  if (setresuid(user.uid, user.uid, user.uid) != 0)
    return Error{Errno("cannot switch to user " + user.name)};
  // Leaving uid 0 clears the permitted and effective sets but not the inheritable one.
  __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct none[2] = {};
  if (syscall(SYS_capset, &hdr, none) != 0) return Error{Errno("cannot clear the capability sets")};
  prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);  // emptied with inheritable anyway
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return Error{Errno("cannot set no_new_privs")};
  if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0) return Error{Errno("cannot set the parent-death signal")};
  // A parent that died before PR_SET_PDEATHSIG sends no signal: we were re-parented.
  if (getppid() != parent) return Error{"the privileged process is gone"};

  std::ifstream f("/proc/self/status");
  std::stringstream text;
  text << f.rdbuf();
  auto caps = ParseCapSets(text.str());
  if (!caps) return caps.error();
  if (caps->inh || caps->prm || caps->eff || caps->amb)
    return Error{"capabilities remain after dropping privileges (CapEff " + std::to_string(caps->eff) + ")"};
  if (getuid() == 0 || geteuid() == 0) return Error{"still uid 0 after dropping privileges"};
  return Ok{};
}

}  // namespace hugin::privsep
