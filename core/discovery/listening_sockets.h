// Listening TCP sockets of the caller's network namespace: local port and
// socket inode (the number /proc/PID/fd/N links to as "socket:[INODE]").
//
// ListTcpListeningSockets asks the kernel through sock_diag netlink
// (SOCK_DIAG_BY_FAMILY dumps for AF_INET and AF_INET6 restricted to
// TCP_LISTEN): the kernel walks only its listening hash. Reading
// /proc/net/tcp{,6} instead makes it format every socket, established ones
// included, which on a busy service costs far more than the few listeners we
// need; ReadProcNetTcp stays as the fallback for kernels without sock_diag
// (CONFIG_INET_DIAG off, tcp_diag not loadable).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <tuple>
#include <vector>

#include "core/common/result.h"

namespace hugin {

struct ListeningSocket {
  int family = 0;     // AF_INET or AF_INET6
  uint16_t port = 0;  // local port, host byte order
  uint64_t inode = 0;

  bool operator==(const ListeningSocket& o) const {
    return std::tie(family, port, inode) == std::tie(o.family, o.port, o.inode);
  }
  bool operator<(const ListeningSocket& o) const {
    return std::tie(family, port, inode) < std::tie(o.family, o.port, o.inode);
  }
};

using PortFilter = std::function<bool(uint16_t)>;  // null: every port

// Listening TCP sockets (IPv4 and IPv6) whose local port passes `selected`,
// from sock_diag netlink. Fails as a whole: no partial list. The Error says why the netlink
// dump failed, in one line for the user (no "hugin: " prefix), with the errno behind it in
// Error::code.
Result<std::vector<ListeningSocket>> ListTcpListeningSockets(
    const PortFilter& selected = nullptr);

// The fallback: listening sockets in /proc/net/tcp (family AF_INET) or
// /proc/net/tcp6 (AF_INET6) text. Malformed rows are skipped.
std::vector<ListeningSocket> ParseProcNetTcp(const std::string& text, int family,
                                             const PortFilter& selected = nullptr);
// Reads and parses proc_root/net/tcp and proc_root/net/tcp6 (a missing file
// yields nothing).
std::vector<ListeningSocket> ReadProcNetTcp(const std::string& proc_root,
                                            const PortFilter& selected = nullptr);

}  // namespace hugin
