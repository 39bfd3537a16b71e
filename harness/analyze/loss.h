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

// A connection's timeline is cut into one window per request and direction. On a keep-alive
// connection the client sends request k after it has read answer k-1, so:
// - request k's reads (head, then maybe its body from inside the handler) fall between the end
//   of handler k-1 and the end of handler k: ingress window (end[k-1], end[k]];
// - answer k's writes fall after handler k started and before request k+1 arrived (some stacks,
//   Go's net/http among them, write after the handler logged its end): egress window
//   [start[k], start[k+1]).
// Each direction's windows partition the timeline, so a lost record can explain at most one
// request: the one whose window of its direction holds it.
LossResult AccountLoss(const LossInput& in);

}  // namespace hugin::harness
