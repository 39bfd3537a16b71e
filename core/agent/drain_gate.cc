#include "core/agent/drain_gate.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace hugin {

DrainGate::~DrainGate() {
  if (fd_ >= 0) close(fd_);
}

Status DrainGate::Open() {
  fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fd_ < 0) return Error{std::string("cannot create an eventfd: ") + std::strerror(errno), errno};
  return Ok{};
}

bool DrainGate::RequestPass(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> l(mu_);
  if (closed_) return true;
  const uint64_t ticket = ++requested_;
  // After the increment: a BeginPass that reads the eventfd before it took `requested_` too
  // late for this ticket leaves this write for the next wait (see BeginPass).
  const uint64_t one = 1;
  if (write(fd_, &one, sizeof(one)) != sizeof(one)) {
    // EAGAIN: the counter is at its maximum, so the loop is woken already.
  }
  return served_cv_.wait_for(l, timeout, [&] { return closed_ || served_ >= ticket; });
}

uint64_t DrainGate::BeginPass() {
  // The eventfd first, then `requested_`: a request counted after this read has written the
  // eventfd after it, so the loop's next wait returns at once and serves it.
  uint64_t pending = 0;
  if (read(fd_, &pending, sizeof(pending)) < 0) {
    // EAGAIN: nothing asked.
  }
  std::lock_guard<std::mutex> l(mu_);
  return requested_;
}

void DrainGate::EndPass(uint64_t ticket) {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (ticket <= served_) return;
    served_ = ticket;
  }
  served_cv_.notify_all();
}

void DrainGate::Close() {
  {
    std::lock_guard<std::mutex> l(mu_);
    closed_ = true;
  }
  served_cv_.notify_all();
}

}  // namespace hugin
