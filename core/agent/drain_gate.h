// A scrape of /metrics must see every record the kernel wrote before it began, yet the parsing
// loop may sleep up to a second (wake_schedule.h). The scrape thread asks for a pass of the loop
// through an eventfd the loop waits on, and waits until a pass that began after its request has
// ended: the ring drained, messages handled, counters published.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

#include "core/common/result.h"

namespace hugin {

class DrainGate {
 public:
  DrainGate() = default;
  ~DrainGate();
  DrainGate(const DrainGate&) = delete;
  DrainGate& operator=(const DrainGate&) = delete;

  Status Open();  // makes the eventfd
  int fd() const { return fd_; }  // readable while a pass is asked for

  // Scrape thread: asks for a pass and waits until one that began after this call has ended,
  // or the loop closed the gate, or `timeout` passed. False on the timeout.
  bool RequestPass(std::chrono::milliseconds timeout);

  // Loop thread, at the start of a pass (before reading the ring): takes the requests made so
  // far. The ticket goes to EndPass.
  uint64_t BeginPass();
  // Loop thread, at the end of that pass: releases the requests BeginPass took.
  void EndPass(uint64_t ticket);
  // The loop is over: nobody waits any more.
  void Close();

 private:
  int fd_ = -1;
  std::mutex mu_;
  std::condition_variable served_cv_;
  uint64_t requested_ = 0;
  uint64_t served_ = 0;
  bool closed_ = false;
};

}  // namespace hugin
