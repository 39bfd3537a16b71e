// When the agent's two loops wake up on their own. A wakeup costs ~70-140 µs of CPU on this VM
// (timer, context switch and back: an idle agent with 50 ms and 100 ms ticks spent 3.0 ms of CPU
// a second, ~31 wakeups), and at 7000 req/s those wakeups were the whole of the metrics-only
// agent's cost once HTTP/1 exchanges are aggregated in the kernel. So both loops sleep longer
// while nothing happens, and wake at once when something does (a ring buffer wakeup, a message,
// a scrape: see drain_gate.h).
#pragma once

#include <algorithm>
#include <chrono>

namespace hugin {

// Doubles from `busy` to `idle` while a check finds nothing; back to `busy` when it finds
// something.
class Backoff {
 public:
  Backoff(std::chrono::milliseconds busy, std::chrono::milliseconds idle)
      : busy_(busy), idle_(std::max(busy, idle)), now_(busy) {}
  // The interval until the next check, given what this one found.
  std::chrono::milliseconds After(bool found) {
    now_ = found ? busy_ : std::min(now_ * 2, idle_);
    return now_;
  }
  std::chrono::milliseconds current() const { return now_; }
  bool idle() const { return now_ == idle_; }

 private:
  std::chrono::milliseconds busy_, idle_, now_;
};

// The parsing side's ring buffer wait. The kernel wakes the reader only when records pile up
// (cfg_wakeup_bytes), so a record may wait for this timeout. With a trace printer, lines are
// at most kPollMs late. Metrics only, nobody sees a record before the next scrape, and a scrape
// drains the ring first (DrainGate): the wait backs off to kIdlePollMs while polls find nothing.
// 50 rather than 20 when busy: at a fixed 7000 req/s (Go fixture, h2load, 3 interleaved rounds,
// schedstat) the parsing process woke 19 instead of 49 times a second and spent 0.80 instead of
// 0.88-0.95 µs per request.
constexpr std::chrono::milliseconds kPollMs{50};
constexpr std::chrono::milliseconds kIdlePollMs{1000};

// The privileged side's drain of the per-connection loss map (maps.bpf.h conn_losses): every
// 100 ms after a drain found losses, backing off to once a second (with discovery, which also
// drains) while none come. The map holds 4096 connections; more connections losing records
// between two drains are counted in HG_CNT_LOSS_MAP_FULL, not lost silently.
constexpr std::chrono::milliseconds kLossDrainInterval{100};
constexpr std::chrono::milliseconds kIdleLossDrainInterval{1000};

}  // namespace hugin
