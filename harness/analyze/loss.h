// Loss accounting: every request the fixture served that Hugin did not report must be explained
// by a drop on ITS connection in ITS time window. The agent says per connection what it lost
// (model/loss_reports.h); whatever no report explains is silent loss, and must be 0. Reports that
// explain no missing request are counted too (unattributed drops): a drop count that explains
// nothing cannot be told apart from one that hides a silent loss elsewhere.
#pragma once

#include <cstdint>
#include <vector>

#include "harness/model/loss_reports.h"
#include "harness/model/records.h"
#include "harness/model/run_result.h"

namespace hugin::harness {

struct LossInput {
  const std::vector<GroundTruthRecord>& truth;  // the measured requests
  const std::vector<bool>& truth_matched;       // per truth record: a span was matched to it
  const AgentReports& reports;
  int server_port = 0;           // the fixture's port: reports on other connections are not ours
  int64_t measured_start_ns = 0; // reports that ended before it belong to the warm-up
  uint64_t requests_sent = 0;    // completed according to the load tool
  uint64_t kernel_drops = 0;     // hugin_kernel_drops_total over the measured window
};

// A connection's timeline is cut into one window per request: from the end of the previous
// request's answer to the end of its own (plus kWindowSlackNs). The request's read happens after
// the previous answer and its write before its own end, so a lost record falls in exactly one
// window and can explain at most that request.
inline constexpr int64_t kWindowSlackNs = 100'000;

LossResult AccountLoss(const LossInput& in);

}  // namespace hugin::harness
