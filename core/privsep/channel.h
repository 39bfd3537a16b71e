// One end of a SOCK_SEQPACKET socketpair carrying messages.h messages: Send writes one packet,
// Receive reads one and decodes it (codec.h). Owns the fd.
#pragma once

#include <variant>

#include "core/common/result.h"
#include "core/privsep/codec.h"

namespace hugin::privsep {

// Two connected ends (close-on-exec).
Result<std::pair<int, int>> MakeSocketPair();

// The other end closed the socket (its process exited).
struct Closed {};

class Channel {
 public:
  explicit Channel(int fd = -1) : fd_(fd) {}
  ~Channel();
  Channel(Channel&& o) noexcept : fd_(std::exchange(o.fd_, -1)), rx_(std::move(o.rx_)) {}
  Channel& operator=(Channel&& o) noexcept;
  int fd() const { return fd_; }

  template <typename T>
  Status Send(const T& msg) {
    return SendPacket(Encode(msg));
  }
  // Blocks until a packet arrives (EINTR is retried). An Error: a malformed packet or a failed
  // read; Closed: the peer is gone.
  Result<std::variant<Message, Closed>> Receive();

 private:
  Status SendPacket(const std::vector<uint8_t>& packet);
  int fd_;
  // Receive's buffer, kept: the largest message (KernelSeriesMsg) is ~10 KB, not worth
  // allocating and zeroing for every small one (a capture policy per connection).
  std::vector<uint8_t> rx_;
};

}  // namespace hugin::privsep
