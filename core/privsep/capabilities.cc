#include "core/privsep/capabilities.h"

#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace hugin::privsep {
namespace {

bool Has(uint64_t effective, int cap) { return (effective >> cap) & 1; }

}  // namespace

Result<uint64_t> EffectiveCapabilities() {
  __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (syscall(SYS_capget, &hdr, data) != 0)
    return Error{std::string("cannot read the capability sets (") + std::strerror(errno) + ")"};
  return (uint64_t{data[1].effective} << 32) | data[0].effective;
}

Status CheckAgentCapabilities(uint64_t effective, const std::string& user, bool discovery) {
  struct Need {
    bool needed;
    bool held;
    const char* name;
    std::string why;
  };
  const Need needs[] = {
      {true, Has(effective, CAP_SETGID), "CAP_SETGID",
       "the parsing process switches to the group of user " + user},
      {true, Has(effective, CAP_SETUID), "CAP_SETUID", "the parsing process switches to user " + user},
      {discovery, Has(effective, CAP_SYS_PTRACE), "CAP_SYS_PTRACE",
       "discovery reads other users' /proc/PID/exe and /proc/PID/fd links"},
      {discovery, Has(effective, CAP_DAC_READ_SEARCH) || Has(effective, CAP_DAC_OVERRIDE),
       "CAP_DAC_READ_SEARCH", "discovery lists other users' /proc/PID/fd"},
  };
  std::string missing;
  for (const Need& n : needs) {
    if (!n.needed || n.held) continue;
    missing += std::string(missing.empty() ? "" : "; ") + n.name + " (" + n.why + ")";
  }
  if (missing.empty()) return Ok{};
  return Error{"missing capability " + missing + " (run as root, or README: Privileges)"};
}

std::string TlsUprobeNotice(uint64_t effective) {
  if (Has(effective, CAP_SYS_ADMIN)) return "";
  return "hugin: no CAP_SYS_ADMIN: TLS plaintext (OpenSSL and Go crypto/tls uprobes) is not "
         "traced on kernels that refuse uprobe events without it (all since July 2025) "
         "(README: Privileges)";
}

}  // namespace hugin::privsep
