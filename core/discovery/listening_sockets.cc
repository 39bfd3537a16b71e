#include "core/discovery/listening_sockets.h"

#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace hugin {
namespace {

constexpr uint8_t kTcpListen = 10;  // TCP_LISTEN in include/net/tcp_states.h

const char* FamilyName(int family) { return family == AF_INET6 ? "AF_INET6" : "AF_INET"; }

Error Failure(const std::string& what, int err) {
  return Error{"sock_diag: " + what + ": " + std::strerror(err), err};
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// One SOCK_DIAG_BY_FAMILY dump of `family`'s listening TCP sockets, appended to `out`.
Status DumpFamily(int fd, uint8_t family, uint32_t seq, const PortFilter& selected,
                  std::vector<ListeningSocket>* out) {
  struct {
    nlmsghdr nlh;
    inet_diag_req_v2 req;
  } msg{};
  msg.nlh.nlmsg_len = sizeof(msg);
  msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  msg.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  msg.nlh.nlmsg_seq = seq;
  msg.req.sdiag_family = family;
  msg.req.sdiag_protocol = IPPROTO_TCP;
  msg.req.idiag_states = 1u << kTcpListen;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (sendto(fd, &msg, sizeof(msg), 0, reinterpret_cast<sockaddr*>(&kernel), sizeof(kernel)) !=
      static_cast<ssize_t>(sizeof(msg)))
    return Failure(std::string("cannot send the ") + FamilyName(family) + " dump request", errno);

  // The kernel fills each reply up to 32 KiB (a page at least); a bigger
  // buffer never truncates.
  alignas(nlmsghdr) static thread_local char buf[64 * 1024];
  for (;;) {
    iovec iov{buf, sizeof(buf)};
    sockaddr_nl from{};
    msghdr mh{};
    mh.msg_name = &from;
    mh.msg_namelen = sizeof(from);
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    ssize_t n = recvmsg(fd, &mh, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Failure(std::string("cannot read the ") + FamilyName(family) + " dump", errno);
    }
    if (n == 0) return Failure(std::string("the ") + FamilyName(family) + " dump ended early", EPROTO);
    if (mh.msg_flags & MSG_TRUNC)
      return Failure(std::string("the ") + FamilyName(family) + " dump was truncated", EMSGSIZE);
    if (from.nl_pid != 0) continue;  // not from the kernel
    int len = static_cast<int>(n);
    for (auto* h = reinterpret_cast<nlmsghdr*>(buf); NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
      if (h->nlmsg_seq != seq) continue;
      if (h->nlmsg_type == NLMSG_DONE) {
        // A dump's DONE carries its status: 0, or a negative errno.
        if (h->nlmsg_len >= NLMSG_LENGTH(sizeof(int))) {
          int status;
          std::memcpy(&status, NLMSG_DATA(h), sizeof(status));
          if (status < 0)
            return Failure(std::string("the ") + FamilyName(family) + " dump failed", -status);
        }
        return Ok{};
      }
      if (h->nlmsg_type == NLMSG_ERROR) {
        int err = EPROTO;
        if (h->nlmsg_len >= NLMSG_LENGTH(sizeof(nlmsgerr)))
          err = -static_cast<const nlmsgerr*>(NLMSG_DATA(h))->error;
        if (err == 0) continue;  // an acknowledgement, not an error
        return Failure(std::string("the kernel refused the ") + FamilyName(family) + " TCP dump", err);
      }
      if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY) continue;
      if (h->nlmsg_len < NLMSG_LENGTH(sizeof(inet_diag_msg)))
        return Failure(std::string("short reply in the ") + FamilyName(family) + " dump", EPROTO);
      const auto* m = static_cast<const inet_diag_msg*>(NLMSG_DATA(h));
      if (m->idiag_state != kTcpListen) continue;
      uint16_t port = ntohs(m->id.idiag_sport);
      if (selected && !selected(port)) continue;
      out->push_back(ListeningSocket{m->idiag_family, port, m->idiag_inode});
    }
  }
}

std::string ReadFile(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace

Result<std::vector<ListeningSocket>> ListTcpListeningSockets(
    const PortFilter& selected) {
  Fd fd(socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG));
  if (fd.get() < 0) return Failure("cannot open a NETLINK_SOCK_DIAG socket", errno);
  // The kernel answers a dump synchronously; the timeout only bounds a
  // misbehaving kernel so that discovery never stalls the agent's loop.
  timeval timeout{1, 0};
  setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  std::vector<ListeningSocket> out;
  uint32_t seq = 1;
  for (uint8_t family : {AF_INET, AF_INET6}) {
    if (Status dumped = DumpFamily(fd.get(), family, seq++, selected, &out); !dumped.ok())
      return dumped.error();
  }
  return out;
}

std::vector<ListeningSocket> ParseProcNetTcp(const std::string& text, int family,
                                             const PortFilter& selected) {
  // Rows: "sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ..."
  // local_address is HEXIP:HEXPORT; st 0A is TCP_LISTEN.
  std::vector<ListeningSocket> out;
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
    if (selected && !selected(static_cast<uint16_t>(port))) continue;
    out.push_back(ListeningSocket{family, static_cast<uint16_t>(port), inode});
  }
  return out;
}

std::vector<ListeningSocket> ReadProcNetTcp(const std::string& proc_root, const PortFilter& selected) {
  auto out = ParseProcNetTcp(ReadFile(proc_root + "/net/tcp"), AF_INET, selected);
  auto v6 = ParseProcNetTcp(ReadFile(proc_root + "/net/tcp6"), AF_INET6, selected);
  out.insert(out.end(), v6.begin(), v6.end());
  return out;
}

}  // namespace hugin
