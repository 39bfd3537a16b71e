// libdw rather than a reader of our own: Go writes DWARF 5 (1.25+) or 4, in SHF_COMPRESSED
// (1.21+) or .zdebug_* (older) sections, and libdw decompresses and decodes all of those.
#include "core/tls/go/dwarf_offsets.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <fcntl.h>
#include <libelf.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <optional>

namespace hugin::gotls {
namespace {

using Members = std::map<std::string, uint64_t>;  // field name -> byte offset

// The structs we need, by their Go DWARF names.
constexpr const char* kStructs[] = {"crypto/tls.Conn", "net.TCPConn", "net.conn", "net.netFD",
                                    "internal/poll.FD"};

bool Wanted(const char* name) {
  for (const char* s : kStructs)
    if (std::strcmp(s, name) == 0) return true;
  return false;
}

Members ReadMembers(Dwarf_Die* st) {
  Members out;
  Dwarf_Die m;
  if (dwarf_child(st, &m) != 0) return out;
  do {
    if (dwarf_tag(&m) != DW_TAG_member) continue;
    const char* name = dwarf_diename(&m);
    Dwarf_Attribute attr;
    Dwarf_Word off = 0;
    if (name == nullptr || dwarf_attr(&m, DW_AT_data_member_location, &attr) == nullptr ||
        dwarf_formudata(&attr, &off) != 0)
      continue;
    out[name] = off;
  } while (dwarf_siblingof(&m, &m) == 0);
  return out;
}

// The wanted structs among the top-level DIEs of every unit (Go puts its types there).
std::map<std::string, Members> FindStructs(Dwarf* dw) {
  std::map<std::string, Members> found;
  Dwarf_CU* cu = nullptr;
  Dwarf_Die cudie, subdie;
  Dwarf_Half version = 0;
  uint8_t unit_type = 0;
  while (found.size() < std::size(kStructs) &&
         dwarf_get_units(dw, cu, &cu, &version, &unit_type, &cudie, &subdie) == 0) {
    Dwarf_Die die;
    if (dwarf_child(&cudie, &die) != 0) continue;
    do {
      if (dwarf_tag(&die) != DW_TAG_structure_type) continue;
      const char* name = dwarf_diename(&die);
      if (name == nullptr || !Wanted(name) || found.count(name) != 0) continue;
      found[name] = ReadMembers(&die);
    } while (dwarf_siblingof(&die, &die) == 0);
  }
  return found;
}

std::optional<uint64_t> Field(const std::map<std::string, Members>& s, const std::string& st,
                              const std::string& field) {
  auto i = s.find(st);
  if (i == s.end()) return std::nullopt;
  auto j = i->second.find(field);
  if (j == i->second.end()) return std::nullopt;
  return j->second;
}

}  // namespace

Result<ConnOffsets> ReadConnOffsetsFromDwarf(const std::string& path) {
  elf_version(EV_CURRENT);
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error{path + ": cannot open"};
  Dwarf* dw = dwarf_begin(fd, DWARF_C_READ);
  if (dw == nullptr) {
    close(fd);
    return Error{path + ": no DWARF"};
  }
  const auto structs = FindStructs(dw);
  dwarf_end(dw);
  close(fd);

  auto tls_conn = Field(structs, "crypto/tls.Conn", "conn");
  auto tcp_conn = Field(structs, "net.TCPConn", "conn");  // the embedded net.conn
  auto conn_fd = Field(structs, "net.conn", "fd");
  auto pfd = Field(structs, "net.netFD", "pfd");
  auto sysfd = Field(structs, "internal/poll.FD", "Sysfd");
  if (!tls_conn || !tcp_conn || !conn_fd || !pfd || !sysfd)
    return Error{path + ": DWARF lacks one of crypto/tls.Conn.conn, net.TCPConn.conn, "
                        "net.conn.fd, net.netFD.pfd, internal/poll.FD.Sysfd"};
  const uint64_t limit = UINT32_MAX;
  if (*tls_conn > limit || *tcp_conn + *conn_fd > limit || *pfd > limit || *sysfd > limit)
    return Error{path + ": implausible DWARF member offsets"};
  return ConnOffsets{static_cast<uint32_t>(*tls_conn), static_cast<uint32_t>(*tcp_conn + *conn_fd),
                     static_cast<uint32_t>(*pfd), static_cast<uint32_t>(*sysfd)};
}

}  // namespace hugin::gotls
