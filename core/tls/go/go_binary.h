// Analysis of a Go executable (ELF, amd64) for uprobes on crypto/tls: where to attach, what
// Go version (calling convention) it is, and how to reach the socket fd from a *tls.Conn.
// Attaches nothing; see README.md for what is found where and the fallbacks.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/common/result.h"

namespace hugin::gotls {

struct GoFunction {
  std::string name;
  uint64_t entry_offset = 0;          // FILE offset of the first instruction (uprobe offset)
  std::vector<uint64_t> ret_offsets;  // FILE offsets of every RET in the function, ascending
};

struct GoTlsTarget {
  std::string go_version;  // e.g. "go1.24.3", from the buildinfo
  bool register_abi = false;  // Go >= 1.17 on amd64: args/results in registers, g in R14
  GoFunction write, read;     // crypto/tls.(*Conn).Write / Read
  uint64_t tcpconn_itab_vaddr = 0;  // go:itab.*net.TCPConn,net.Conn; 0 when absent (stripped)
  // *tls.Conn -> socket fd: tls.Conn.conn (interface: itab, then data pointer),
  // net.TCPConn -> conn.fd (*netFD), netFD.pfd (poll.FD), poll.FD.Sysfd.
  uint32_t conn_in_tls_conn = 0, fd_in_net_conn = 0, pfd_in_netfd = 0, sysfd_in_poll_fd = 0;
  bool offsets_from_dwarf = false;  // false: from the per-version table
  bool stripped = false;            // no .symtab: functions were found through .gopclntab
};

// The target, or an Error saying why not (not ELF, not amd64, not a Go binary, Go older than
// 1.17, no crypto/tls in it, corrupt file).
Result<GoTlsTarget> AnalyzeGoBinary(const std::string& path);

// Cheap check for discovery: is this an ELF with a .go.buildinfo or .gopclntab section?
// Reads only the ELF headers.
bool IsGoBinary(const std::string& path);

}  // namespace hugin::gotls
