// Turning the forked parsing process into an unprivileged one: another uid and gid, no
// supplementary groups, no capabilities in any set, no_new_privs, killed with its parent.
#pragma once

#include <sys/types.h>

#include <set>
#include <string>

#include "core/common/result.h"

namespace hugin::privsep {

struct UnprivilegedUser {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
};

// The user's uid and primary gid from the user database; an Error when the user does not
// exist or is root (a parsing process running as root would defeat the split).
Result<UnprivilegedUser> LookUpUser(const std::string& name);

// In the forked child: setgroups(0), setresgid, setresuid, clears the inheritable and ambient
// sets (and the bounding set when CAP_SETPCAP allows), PR_SET_NO_NEW_PRIVS, and
// PR_SET_PDEATHSIG(SIGTERM) (then checks the parent `parent` has not already gone). Checks
// /proc/self/status afterwards: every capability set 0 and the uid not 0, or an Error.
Status DropPrivileges(const UnprivilegedUser& user, pid_t parent);

// Closes every fd of this process but those in `keep` (read from /proc/self/fd).
void CloseFdsExcept(const std::set<int>& keep);

// The four capability sets of /proc/self/status ("CapInh", "CapPrm", "CapEff", "CapAmb").
struct CapSets {
  uint64_t inh = 0, prm = 0, eff = 0, amb = 0;
};
Result<CapSets> ParseCapSets(const std::string& status_text);

}  // namespace hugin::privsep
