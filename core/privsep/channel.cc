#include "core/privsep/channel.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace hugin::privsep {

Result<std::pair<int, int>> MakeSocketPair() {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
    return Error{std::string("cannot create a socketpair (") + std::strerror(errno) + ")"};
  return std::pair<int, int>{sv[0], sv[1]};
}

Channel::~Channel() {
  if (fd_ >= 0) close(fd_);
}

Channel& Channel::operator=(Channel&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) close(fd_);
    fd_ = std::exchange(o.fd_, -1);
    rx_ = std::move(o.rx_);
  }
  return *this;
}

Status Channel::SendPacket(const std::vector<uint8_t>& packet) {
  for (;;) {
    ssize_t n = send(fd_, packet.data(), packet.size(), MSG_NOSIGNAL);
    if (n == static_cast<ssize_t>(packet.size())) return Ok{};
    if (n < 0 && errno == EINTR) continue;
    return Error{std::string("cannot send to the other process (") +
                 (n < 0 ? std::strerror(errno) : "short send") + ")"};
  }
}

Result<std::variant<Message, Closed>> Channel::Receive() {
  std::vector<uint8_t>& buf = rx_;
  if (buf.empty()) buf.resize(MaxPacketBytes() + 1);
  for (;;) {
    // MSG_TRUNC: the packet's real length, so one longer than any message is caught.
    ssize_t n = recv(fd_, buf.data(), buf.size(), MSG_TRUNC);
    if (n < 0 && errno == EINTR) continue;
    // The other process closed its end with packets of ours unread: it is gone all the same
    // (its exit status says whether it stopped cleanly).
    if (n < 0 && errno == ECONNRESET) return std::variant<Message, Closed>{Closed{}};
    if (n < 0) return Error{std::string("cannot read from the other process (") + std::strerror(errno) + ")"};
    if (n == 0) return std::variant<Message, Closed>{Closed{}};
    if (static_cast<size_t>(n) > buf.size() - 1)
      return Error{"malformed message: " + std::to_string(n) + " bytes, longer than any message"};
    auto m = Decode(buf.data(), static_cast<size_t>(n));
    if (!m) return m.error();
    return std::variant<Message, Closed>{std::move(m).value()};
  }
}

}  // namespace hugin::privsep
