#include "core/tls/go/go_binary.h"

#include <elf.h>

#include <set>

#include "core/tls/go/buildinfo.h"
#include "core/tls/go/conn_offsets.h"
#include "core/tls/go/dwarf_offsets.h"
#include "core/tls/go/elf_file.h"
#include "core/tls/go/pclntab.h"
#include "core/tls/go/ret_scan.h"

namespace hugin::gotls {
namespace {

constexpr const char* kWrite = "crypto/tls.(*Conn).Write";
constexpr const char* kRead = "crypto/tls.(*Conn).Read";
// Go 1.20 renamed the linker's "go." symbol prefix to "go:".
constexpr const char* kItab = "go:itab.*net.TCPConn,net.Conn";
constexpr const char* kItabOld = "go.itab.*net.TCPConn,net.Conn";
constexpr uint64_t kMaxFunctionSize = 1 << 20;  // sanity bound against corrupt sizes

bool HasGoSections(const ElfFile& elf) {
  return elf.FindSection(".go.buildinfo") != nullptr || elf.FindSection(".gopclntab") != nullptr;
}

struct Range {
  uint64_t entry = 0, size = 0;
};

Result<GoFunction> Locate(const ElfFile& elf, const std::string& name, Range r) {
  if (r.size == 0 || r.size > kMaxFunctionSize) return Error{name + ": implausible size"};
  auto entry = elf.VaddrToFileOffset(r.entry);
  auto code = elf.BytesAtVaddr(r.entry, r.size);
  if (!entry || !code) return Error{name + ": code is not in a loaded segment of the file"};
  auto rets = FindRetOffsets(*code);
  if (!rets) return Error{name + ": " + rets.error().message};
  if (rets->empty()) return Error{name + ": no RET instruction found"};
  GoFunction f{name, *entry, {}};
  for (uint64_t r_off : *rets) f.ret_offsets.push_back(*entry + r_off);
  return f;
}

}  // namespace

bool IsGoBinary(const std::string& path) {
  auto elf = ElfFile::Open(path);
  return elf && HasGoSections(*elf);
}

Result<GoTlsTarget> AnalyzeGoBinary(const std::string& path) {
  auto elf_or = ElfFile::Open(path);
  if (!elf_or) return elf_or.error();
  const ElfFile& elf = *elf_or;
  if (elf.machine() != EM_X86_64) return Error{path + ": not an amd64 (x86-64) ELF file"};
  if (!HasGoSections(elf)) return Error{path + ": not a Go binary"};

  GoTlsTarget t;
  auto version = ReadGoVersion(elf);
  if (!version) return Error{path + ": " + version.error().message};
  t.go_version = *version;
  int major = 0, minor = 0;
  if (!ParseGoVersion(t.go_version, &major, &minor))
    return Error{path + ": unrecognised Go version \"" + t.go_version + "\""};
  if (minor < 17)
    return Error{path + ": Go too old (" + t.go_version + "): needs Go 1.17 or later (register ABI)"};
  t.register_abi = true;

  // Functions: .symtab (exact sizes) when present, else .gopclntab (size up to the next one).
  Range write, read;
  t.stripped = !elf.HasSymtab();
  if (!t.stripped) {
    auto syms = elf.FindSymbols({kWrite, kRead, kItab, kItabOld});
    if (syms.count(kWrite)) write = {syms[kWrite].value, syms[kWrite].size};
    if (syms.count(kRead)) read = {syms[kRead].value, syms[kRead].size};
    if (syms.count(kItab)) t.tcpconn_itab_vaddr = syms[kItab].value;
    else if (syms.count(kItabOld)) t.tcpconn_itab_vaddr = syms[kItabOld].value;
  }
  if (write.entry == 0 || read.entry == 0) {
    auto funcs = FindPclnFunctions(elf, {kWrite, kRead});
    if (!funcs) return Error{path + ": " + funcs.error().message};
    if (auto i = funcs->find(kWrite); i != funcs->end())
      write = {i->second.entry, i->second.end - i->second.entry};
    if (auto i = funcs->find(kRead); i != funcs->end())
      read = {i->second.entry, i->second.end - i->second.entry};
  }
  if (write.entry == 0 || read.entry == 0)
    return Error{path + ": no crypto/tls in it (crypto/tls.(*Conn).Write/Read not found)"};
  auto w = Locate(elf, kWrite, write);
  if (!w) return Error{path + ": " + w.error().message};
  auto r = Locate(elf, kRead, read);
  if (!r) return Error{path + ": " + r.error().message};
  t.write = std::move(*w);
  t.read = std::move(*r);

  // Struct offsets: DWARF when the binary has it, else the per-version table.
  std::optional<ConnOffsets> off;
  if (auto d = ReadConnOffsetsFromDwarf(path)) {
    off = *d;
    t.offsets_from_dwarf = true;
  } else {
    off = ConnOffsetsForGoVersion(minor);
  }
  if (!off) return Error{path + ": no struct offsets known for " + t.go_version};
  t.conn_in_tls_conn = off->conn_in_tls_conn;
  t.fd_in_net_conn = off->fd_in_net_conn;
  t.pfd_in_netfd = off->pfd_in_netfd;
  t.sysfd_in_poll_fd = off->sysfd_in_poll_fd;
  return t;
}

}  // namespace hugin::gotls
