// Field offsets on the path from a *crypto/tls.Conn to the socket's file descriptor:
//   tls.Conn.conn (net.Conn interface: itab, data) -> *net.TCPConn -> conn.fd (*net.netFD)
//   -> netFD.pfd (internal/poll.FD) -> FD.Sysfd (int).
#pragma once

#include <cstdint>
#include <optional>

namespace hugin::gotls {

struct ConnOffsets {
  uint32_t conn_in_tls_conn = 0;  // crypto/tls.Conn.conn
  uint32_t fd_in_net_conn = 0;    // net.TCPConn's embedded net.conn, then its .fd
  uint32_t pfd_in_netfd = 0;      // net.netFD.pfd
  uint32_t sysfd_in_poll_fd = 0;  // internal/poll.FD.Sysfd
};

// The offsets for a Go 1.`minor` amd64 binary without DWARF, or nullopt for a version the
// table does not cover. They have not moved since Go 1.9's poll.FD (fdMutex is 16 bytes);
// the fixture test checks the table against the fixture's DWARF.
std::optional<ConnOffsets> ConnOffsetsForGoVersion(int minor);

}  // namespace hugin::gotls
