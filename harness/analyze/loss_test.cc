#include "harness/analyze/loss.h"

#include <gtest/gtest.h>

namespace hugin::harness {
namespace {

constexpr int kServer = 8080;

// Requests of one keep-alive connection from `peer`: each takes 1 ms, 1 ms apart.
std::vector<GroundTruthRecord> Connection(int peer, int n, int64_t t0) {
  std::vector<GroundTruthRecord> v;
  for (int i = 0; i < n; ++i) {
    GroundTruthRecord g;
    g.peer_port = peer;
    g.start_ns = t0 + i * 2'000'000;
    g.end_ns = g.start_ns + 1'000'000;
    v.push_back(g);
  }
  return v;
}

LossReport Lost(int peer, int64_t at, uint64_t records = 1) {
  LossReport l;
  l.local_port = kServer;
  l.peer_port = peer;
  l.ingress_records = records;
  l.first_ns = l.last_ns = at;
  return l;
}

struct Case {
  std::vector<GroundTruthRecord> truth;
  std::vector<bool> matched;
  AgentReports reports;
  uint64_t kernel_drops = 0;
  LossResult Run() const {
    return AccountLoss({truth, matched, reports, kServer, 0, truth.size(), kernel_drops});
  }
};

}  // namespace

TEST(Loss, NothingMissingNothingLost) {
  Case c;
  c.truth = Connection(40000, 5, 10'000'000);
  c.matched.assign(5, true);
  const auto r = c.Run();
  EXPECT_EQ(r.missing, 0u);
  EXPECT_EQ(r.silent_loss, 0u);
  EXPECT_EQ(r.unattributed_drops, 0u);
}

TEST(Loss, ADropOnTheRequestsConnectionInItsWindowExplainsIt) {
  Case c;
  c.truth = Connection(40000, 5, 10'000'000);  // ingress windows end at 11, 13, 15, 17, 19 ms
  c.matched = {true, true, false, true, true};
  c.reports.losses.push_back(Lost(40000, 14'000'000));  // read of request 3, before its end
  c.kernel_drops = 1;
  const auto r = c.Run();
  EXPECT_EQ(r.missing, 1u);
  EXPECT_EQ(r.explained, 1u);
  EXPECT_EQ(r.silent_loss, 0u);
  EXPECT_EQ(r.unattributed_drops, 0u);
}

TEST(Loss, ADropInAnotherWindowOrOnAnotherConnectionExplainsNothing) {
  Case c;
  c.truth = Connection(40000, 5, 10'000'000);
  auto other = Connection(40001, 5, 10'000'000);
  c.truth.insert(c.truth.end(), other.begin(), other.end());
  c.matched.assign(10, true);
  c.matched[2] = false;                                  // 40000's third request is missing
  c.reports.losses.push_back(Lost(40000, 18'000'000));   // but 40000 lost its fifth's record
  c.reports.losses.push_back(Lost(40001, 14'000'000));   // and 40001 lost in the right window
  c.kernel_drops = 2;
  const auto r = c.Run();
  EXPECT_EQ(r.missing, 1u);
  EXPECT_EQ(r.silent_loss, 1u);
  EXPECT_EQ(r.unattributed_drops, 2u);
}

TEST(Loss, AnAnswerWrittenAfterTheHandlerLoggedItsEndIsStillItsOwn) {
  // Go's net/http writes the buffered answer after the handler returns: the lost write comes
  // after end_ns but before the next request starts.
  Case c;
  c.truth = Connection(40000, 3, 10'000'000);  // requests at 10-11, 12-13, 14-15 ms
  c.matched = {true, false, true};
  c.reports.losses.push_back(Lost(40000, 13'400'000));
  c.reports.losses.back().ingress_records = 0;
  c.reports.losses.back().egress_records = 1;
  auto r = c.Run();
  EXPECT_EQ(r.explained, 1u);
  // The same moment on the ingress side is the next request's read, which was captured.
  c.reports.losses.back().ingress_records = 1;
  c.reports.losses.back().egress_records = 0;
  r = c.Run();
  EXPECT_EQ(r.explained, 0u);
  EXPECT_EQ(r.silent_loss, 1u);
  EXPECT_EQ(r.unattributed_drops, 1u);
}

TEST(Loss, OneReportExplainsAtMostItsRecordCount) {
  Case c;
  c.truth = Connection(40000, 5, 10'000'000);
  c.matched = {true, false, false, false, true};
  c.reports.losses.push_back(Lost(40000, 12'500'000, 2));
  c.reports.losses.back().last_ns = 16'500'000;  // covers requests 2-4, but only 2 records lost
  c.kernel_drops = 2;
  const auto r = c.Run();
  EXPECT_EQ(r.missing, 3u);
  EXPECT_EQ(r.explained, 2u);
  EXPECT_EQ(r.silent_loss, 1u);
}

TEST(Loss, CountedDropsWithoutAReportAreUnattributedAndExplainNothing) {
  Case c;
  c.truth = Connection(40000, 3, 10'000'000);
  c.matched = {true, false, true};
  c.kernel_drops = 5;  // the counter moved, but no report names a connection
  const auto r = c.Run();
  EXPECT_EQ(r.silent_loss, 1u);
  EXPECT_EQ(r.unattributed_drops, 5u);
}

TEST(Loss, AGapWithoutALossReportExplainsOneRequestInItsSpan) {
  Case c;
  c.truth = Connection(40000, 4, 10'000'000);
  c.matched = {true, false, false, true};
  GapReport g;
  g.local_port = kServer;
  g.peer_port = 40000;
  g.after_ns = 11'500'000;
  g.before_ns = 13'000'000;  // inside the second request's window only
  c.reports.gaps.push_back(g);
  const auto r = c.Run();
  EXPECT_EQ(r.missing, 2u);
  EXPECT_EQ(r.explained, 1u);
  EXPECT_EQ(r.silent_loss, 1u);
}

TEST(Loss, AWideReportDoesNotUseUpWhatANarrowOneAloneCouldExplain) {
  Case c;
  c.truth = Connection(40000, 5, 10'000'000);  // ingress windows end at 11, 13, 15, 17, 19 ms
  c.matched = {true, false, true, false, true};
  LossReport wide = Lost(40000, 12'500'000);   // one read lost somewhere in 12.5-16.5 ms:
  wide.last_ns = 16'500'000;                   // request 2 or request 4
  LossReport narrow = Lost(40000, 12'500'000); // one read lost at 12.5 ms: request 2 only
  c.reports.losses = {wide, narrow};
  c.kernel_drops = 2;
  auto r = c.Run();
  EXPECT_EQ(r.explained, 2u);
  EXPECT_EQ(r.silent_loss, 0u);
  EXPECT_EQ(r.unattributed_drops, 0u);
  std::swap(c.reports.losses[0], c.reports.losses[1]);  // the order read must not matter
  r = c.Run();
  EXPECT_EQ(r.explained, 2u);
}

TEST(Loss, AnUnpairedRequestReportExplainsThatRequestOnly) {
  Case c;
  c.truth = Connection(40000, 4, 10'000'000);  // starts 10, 12, 14, 16 ms
  c.matched = {true, false, false, true};
  UnpairedReport u;
  u.local_port = kServer;
  u.peer_port = 40000;
  u.request_ns = 13'900'000;  // read just before the third handler started
  c.reports.unpaired.push_back(u);
  const auto r = c.Run();
  EXPECT_EQ(r.missing, 2u);
  EXPECT_EQ(r.explained, 1u);  // the third; the second stays silent
  EXPECT_EQ(r.silent_loss, 1u);
}

TEST(Loss, WarmupAndOtherPortsReportsAreNotOurs) {
  Case c;
  c.truth = Connection(40000, 3, 10'000'000);
  c.matched = {true, false, true};
  LossReport other_port = Lost(40000, 12'500'000);
  other_port.local_port = 9999;
  c.reports.losses.push_back(other_port);
  const auto r = AccountLoss({c.truth, c.matched, c.reports, kServer, 0, 3, 0});
  EXPECT_EQ(r.silent_loss, 1u);
  EXPECT_EQ(r.unattributed_drops, 0u);  // not ours: neither explains nor counts
  c.reports.losses = {Lost(40000, 12'500'000)};
  const auto warm = AccountLoss({c.truth, c.matched, c.reports, kServer, 13'000'000, 3, 0});
  EXPECT_EQ(warm.silent_loss, 1u);  // the report ended before the measured load began
}

}  // namespace hugin::harness
