// The tracker's memory bounds (TrackerLimits, ParserLimits through the HTTP/1 parser): each
// eviction is counted, and the normal exchange that follows still becomes its exact span.
#include <gtest/gtest.h>

#include <string>

#include "core/conn/conn_tracker.h"
#include "core/conn/tracker_testing.h"

namespace hugin {
namespace {

std::string Get(const std::string& path) { return "GET " + path + " HTTP/1.1\r\nHost: a\r\n\r\n"; }
std::string Ok(int status = 200) {
  return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: 0\r\n\r\n";
}

class LimitsTest : public TrackerTest {
 protected:
  void Limit(const TrackerLimits& l) { tracker_.SetLimits(l); }
  void Exchange(int fd, const std::string& path, int status, uint64_t ts) {
    Data(fd, 1, HG_ROLE_SERVER, HG_INGRESS, Get(path), ts);
    Data(fd, 1, HG_ROLE_SERVER, HG_EGRESS, Ok(status), ts + 1);
  }
};

TEST_F(LimitsTest, ConnectionLimitEvictsTheLeastRecentlyActiveWhichRestartsMidStream) {
  TrackerLimits l;
  l.max_connections = 2;
  Limit(l);
  Open(1, 1, HG_ROLE_SERVER);
  Data(1, 1, HG_ROLE_SERVER, HG_INGRESS, Get("/waiting"), 10);  // its answer comes late
  Open(2, 1, HG_ROLE_SERVER, 20);
  Exchange(2, "/two", 200, 30);  // fd 2 is now the most recently active
  Open(3, 1, HG_ROLE_SERVER, 40);  // a third connection: fd 1 goes
  EXPECT_EQ(tracker_.stats().evictions.connections, 1u);
  EXPECT_EQ(tracker_.stats().open_conns, 2u);
  ASSERT_EQ(unpaired_.size(), 1u) << "the evicted connection's waiting request is reported";
  // fd 1 comes back: the late answer must not pair with anything, and the tracker must not
  // call the jump in positions a loss (it forgot the connection, the kernel lost nothing).
  Data(1, 1, HG_ROLE_SERVER, HG_EGRESS, Ok(504), 50);
  Exchange(1, "/after", 201, 60);
  Close(1, 1, 70);
  EXPECT_TRUE(gaps_.empty());
  ASSERT_EQ(spans_.size(), 2u);
  EXPECT_EQ(spans_[0].path, "/two");
  EXPECT_EQ(spans_[1].path, "/after");
  EXPECT_EQ(spans_[1].status, 201);
  EXPECT_EQ(tracker_.stats().evictions.connections, 2u) << "fd 1's return evicted fd 2";
  EXPECT_EQ(tracker_.stats().open_conns, 1u);
}

TEST_F(LimitsTest, InFlightLimitGivesUpTheOldestPipelinedRequestAndKeepsFifo) {
  TrackerLimits l;
  l.parser.max_in_flight = 2;
  Limit(l);
  Open(5, 1, HG_ROLE_SERVER);
  Data(5, 1, HG_ROLE_SERVER, HG_INGRESS, Get("/a") + Get("/b") + Get("/c"), 10);
  EXPECT_EQ(tracker_.stats().evictions.in_flight_requests, 1u);
  ASSERT_EQ(unpaired_.size(), 1u);  // /a, given up
  Data(5, 1, HG_ROLE_SERVER, HG_EGRESS, Ok(200) + Ok(201) + Ok(202), 20);
  Exchange(5, "/d", 203, 30);
  ASSERT_EQ(spans_.size(), 3u);
  // /a's answer (200) is skipped, not paired with /b.
  EXPECT_EQ(spans_[0].path, "/b");
  EXPECT_EQ(spans_[0].status, 201);
  EXPECT_EQ(spans_[1].path, "/c");
  EXPECT_EQ(spans_[1].status, 202);
  EXPECT_EQ(spans_[2].path, "/d");
  EXPECT_EQ(spans_[2].status, 203);
}

TEST_F(LimitsTest, HeaderBytesLimitDropsAHeadThatNeverEndsAndResyncs) {
  TrackerLimits l;
  l.parser.max_header_bytes = 256;
  Limit(l);
  Open(5, 1, HG_ROLE_SERVER);
  // A slow sender: a header line dribbled one byte per call, never ending.
  Data(5, 1, HG_ROLE_SERVER, HG_INGRESS, "GET /slow HTTP/1.1\r\nX-Long: ", 10);
  for (int i = 0; i < 1000; i++) Data(5, 1, HG_ROLE_SERVER, HG_INGRESS, "a", 11 + i);
  EXPECT_EQ(tracker_.stats().evictions.header_bytes, 1u) << "counted once, at the bound";
  Exchange(6, "/other", 200, 2000);  // another connection meanwhile
  // The sender gives up on the header and starts a real request on the same connection.
  Data(5, 1, HG_ROLE_SERVER, HG_INGRESS, "\r\n\r\n", 3000);
  Exchange(5, "/next", 200, 3001);
  ASSERT_EQ(spans_.size(), 2u);
  EXPECT_EQ(spans_[0].path, "/other");
  EXPECT_EQ(spans_[1].path, "/next");
  EXPECT_EQ(spans_[1].status, 200);
}

TEST_F(LimitsTest, PendingPairingLimitGivesUpTheLeastRecentlyActiveConnectionsRequest) {
  TrackerLimits l;
  l.max_pending_pairings = 2;
  Limit(l);
  for (int fd = 1; fd <= 3; fd++) {
    Open(fd, 1, HG_ROLE_SERVER, fd);
    Data(fd, 1, HG_ROLE_SERVER, HG_INGRESS, Get("/r" + std::to_string(fd)), 10 + fd);
  }
  EXPECT_EQ(tracker_.stats().evictions.pending_pairings, 1u);
  EXPECT_EQ(tracker_.stats().pending_pairings, 2u);
  ASSERT_EQ(unpaired_.size(), 1u);
  EXPECT_EQ(unpaired_[0].fd, 1) << "the least recently active connection's request";
  Data(1, 1, HG_ROLE_SERVER, HG_EGRESS, Ok(500), 20);  // /r1's answer: skipped
  Data(2, 1, HG_ROLE_SERVER, HG_EGRESS, Ok(202), 21);
  Data(3, 1, HG_ROLE_SERVER, HG_EGRESS, Ok(203), 22);
  Exchange(1, "/again", 204, 30);
  ASSERT_EQ(spans_.size(), 3u);
  EXPECT_EQ(spans_[0].path, "/r2");
  EXPECT_EQ(spans_[0].status, 202);
  EXPECT_EQ(spans_[1].path, "/r3");
  EXPECT_EQ(spans_[1].status, 203);
  EXPECT_EQ(spans_[2].path, "/again");
  EXPECT_EQ(spans_[2].status, 204);
  EXPECT_EQ(tracker_.stats().pending_pairings, 0u);
}

TEST_F(LimitsTest, ClosesAndProcessExitsReleaseTheirPendingCount) {
  Open(1, 1, HG_ROLE_SERVER);
  Data(1, 1, HG_ROLE_SERVER, HG_INGRESS, Get("/x"), 10);
  Open(2, 1, HG_ROLE_SERVER);
  Data(2, 1, HG_ROLE_SERVER, HG_INGRESS, Get("/y"), 10);
  EXPECT_EQ(tracker_.stats().pending_pairings, 2u);
  Close(1, 1, 20);
  EXPECT_EQ(tracker_.stats().pending_pairings, 1u);
  tracker_.ForgetProcess(7);
  EXPECT_EQ(tracker_.stats().pending_pairings, 0u);
  EXPECT_EQ(tracker_.stats().open_conns, 0u);
}

}  // namespace
}  // namespace hugin
