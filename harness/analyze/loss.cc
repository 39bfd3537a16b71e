#include "harness/analyze/loss.h"

#include <algorithm>

namespace hugin::harness {

LossResult AccountLoss(const LossInput& in) {
  LossResult r;
  r.missing = in.requests_served > in.spans_matched ? in.requests_served - in.spans_matched : 0;
  r.explained = std::min(r.missing, kMaxRequestsLostPerDrop * in.kernel_drops);
  r.silent_loss = r.missing - r.explained;
  r.sent_minus_captured =
      static_cast<int64_t>(in.requests_sent) - static_cast<int64_t>(in.spans_matched);
  return r;
}

}  // namespace hugin::harness
