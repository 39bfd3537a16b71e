#pragma once
// What the privileged process needs, checked before anything is loaded (README "Privileges"),
// so a missing capability is one line naming it instead of a failure deep in libbpf or in
// the parsing process.
#include <cstdint>
#include <string>

#include "core/common/result.h"

namespace hugin::privsep {

// The effective set as a bit mask (bit N = capability N), from capget.
Result<uint64_t> EffectiveCapabilities();

// Error naming every missing capability and what it is for, given an effective set:
// CAP_SETUID, CAP_SETGID (the parsing process's switch to `user`) always; with `discovery`
// (not --trace-all) also CAP_SYS_PTRACE (other users' /proc/PID/exe and fd links, even for
// uid 0) and CAP_DAC_READ_SEARCH or CAP_DAC_OVERRIDE (other users' /proc/PID/fd, mode 0500).
// CAP_BPF/CAP_PERFMON are checked by the loader, tracefs access by EnsureTracefs.
Status CheckAgentCapabilities(uint64_t effective, const std::string& user, bool discovery);

// One line when TLS uprobes cannot be attached with this set (empty when they can): the
// uprobe perf event needs CAP_SYS_ADMIN again since upstream commit ba677dbe77af (July 2025,
// also in the 5.15+ stable kernels); 5.8 to 6.15 without it took CAP_PERFMON.
std::string TlsUprobeNotice(uint64_t effective);

}  // namespace hugin::privsep
