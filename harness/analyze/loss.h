// Loss accounting: every request the fixture served but Hugin did not report must be explained
// by a drop the kernel side counted (ring buffer full, connection map full, failed read).
// Whatever is left is silent loss, and must be 0.
#pragma once

#include <cstdint>

#include "harness/model/run_result.h"

namespace hugin::harness {

struct LossInput {
  uint64_t requests_served = 0;  // ground-truth records
  uint64_t requests_sent = 0;    // completed according to the load tool
  uint64_t spans_matched = 0;
  uint64_t kernel_drops = 0;     // sum of hugin_kernel_drops_total over loss reasons
};


// How many requests one counted drop can take with it: the request the lost event belonged to.
// (It was 2 while the stitcher revoked a response paired by time when the connection closed;
// since the close carries the kernel's byte counts, that pairing stands and the overload
// scenario shows missing <= drops at every rate.)
inline constexpr uint64_t kMaxRequestsLostPerDrop = 1;

// Drops explain min(missing, kMaxRequestsLostPerDrop * drops); the rest is silent loss.
LossResult AccountLoss(const LossInput& in);

}  // namespace hugin::harness
