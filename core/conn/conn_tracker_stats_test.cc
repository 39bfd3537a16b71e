// The tracker's counters are kept incrementally (stats() is O(1), read every poll): after every
// step of a sequence of opens, data, losses, TLS switches, closes and every kind of eviction
// they must equal a full recount (RecountStats), and counters never go down.
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

class StatsTest : public TrackerTest {
 protected:
  // Compares every field (a new one must be added here, like everywhere TrackerStats is read).
  void ExpectRecountEqual(const std::string& step) {
    SCOPED_TRACE(step);
    const TrackerStats a = tracker_.stats();
    const TrackerStats b = tracker_.RecountStats();
    EXPECT_EQ(a.records, b.records);
    EXPECT_EQ(a.decode_errors, b.decode_errors);
    EXPECT_EQ(a.spans, b.spans);
    EXPECT_EQ(a.parse_errors, b.parse_errors);
    EXPECT_EQ(a.stream_gaps, b.stream_gaps);
    EXPECT_EQ(a.unmatched_requests, b.unmatched_requests);
    EXPECT_EQ(a.unclassified_chunks, b.unclassified_chunks);
    EXPECT_EQ(a.capture_off_conns, b.capture_off_conns);
    EXPECT_EQ(a.unreported_exchanges, b.unreported_exchanges);
    EXPECT_EQ(a.held_chunks_dropped, b.held_chunks_dropped);
    EXPECT_EQ(a.tls_conns, b.tls_conns);
    EXPECT_EQ(a.tls_conns_without_plaintext, b.tls_conns_without_plaintext);
    EXPECT_EQ(a.open_conns, b.open_conns);
    EXPECT_EQ(a.pending_pairings, b.pending_pairings);
    EXPECT_EQ(a.evictions.connections, b.evictions.connections);
    EXPECT_EQ(a.evictions.in_flight_requests, b.evictions.in_flight_requests);
    EXPECT_EQ(a.evictions.header_bytes, b.evictions.header_bytes);
    EXPECT_EQ(a.evictions.pending_pairings, b.evictions.pending_pairings);
    // Counters (not the two gauges) never decrease.
    EXPECT_GE(a.parse_errors, last_.parse_errors);
    EXPECT_GE(a.stream_gaps, last_.stream_gaps);
    EXPECT_GE(a.unreported_exchanges, last_.unreported_exchanges);
    EXPECT_GE(a.evictions.in_flight_requests, last_.evictions.in_flight_requests);
    EXPECT_GE(a.evictions.header_bytes, last_.evictions.header_bytes);
    last_ = a;
  }
  TrackerStats last_;
};

TEST_F(StatsTest, IncrementalTotalsEqualAFullRecountAfterEveryStep) {
  TrackerLimits l;
  l.max_connections = 4;
  l.max_pending_pairings = 3;
  l.parser.max_in_flight = 2;
  l.parser.max_header_bytes = 256;
  tracker_.SetLimits(l);

  Open(1, 1, HG_ROLE_SERVER);
  Data(1, 1, HG_ROLE_SERVER, HG_INGRESS, Get("/a"), 10);
  ExpectRecountEqual("a request waiting");
  Data(1, 1, HG_ROLE_SERVER, HG_EGRESS, Ok(), 11);
  ExpectRecountEqual("its answer");

  // A loss on a plain connection, then its TLS plaintext: the raw parser (which counted the
  // gap) is dropped for a new one; what it counted stays counted.
  Open(2, 1, HG_ROLE_SERVER);
  Data(2, 1, HG_ROLE_SERVER, HG_INGRESS, Get("/raw"), 20);
  pos_[2][HG_INGRESS] += 500;
  Data(2, 1, HG_ROLE_SERVER, HG_INGRESS, Get("/raw2"), 21);
  ExpectRecountEqual("a gap on raw bytes");
  const uint64_t gaps_before_tls = tracker_.stats().stream_gaps;
  EXPECT_GE(gaps_before_tls, 1u);
  TlsData(2, 1, HG_ROLE_SERVER, HG_INGRESS, Get("/tls"), 30);
  ExpectRecountEqual("TLS plaintext replaces the raw parser");
  TlsData(2, 1, HG_ROLE_SERVER, HG_EGRESS, Ok(201), 31);
  ExpectRecountEqual("TLS answer");
  EXPECT_EQ(tracker_.stats().stream_gaps, gaps_before_tls);

  // Garbage that looks like HTTP: a parse error.
  Open(3, 1, HG_ROLE_SERVER);
  Data(3, 1, HG_ROLE_SERVER, HG_INGRESS, Get("/p"), 40);
  Data(3, 1, HG_ROLE_SERVER, HG_EGRESS, "HTTP/1.1 2xx Broken\r\n\r\n", 41);
  ExpectRecountEqual("a malformed answer");

  // In-flight and header-bytes evictions.
  Open(4, 1, HG_ROLE_SERVER);
  Data(4, 1, HG_ROLE_SERVER, HG_INGRESS, Get("/x") + Get("/y") + Get("/z"), 50);
  ExpectRecountEqual("pipelined past max_in_flight and max_pending_pairings");
  Data(4, 1, HG_ROLE_SERVER, HG_INGRESS, "GET /slow HTTP/1.1\r\nX-Long: " + std::string(400, 'a'),
       51);
  ExpectRecountEqual("a head past max_header_bytes");

  // Connection evictions (max 4 tracked) and pending-pairing evictions.
  for (int fd = 5; fd <= 8; fd++) {
    Open(fd, 1, HG_ROLE_SERVER, 60 + fd);
    Data(fd, 1, HG_ROLE_SERVER, HG_INGRESS, Get("/e"), 70 + fd);
    ExpectRecountEqual("connection " + std::to_string(fd));
  }
  EXPECT_GT(tracker_.stats().evictions.connections, 0u);
  EXPECT_GT(tracker_.stats().evictions.pending_pairings, 0u);
  EXPECT_GT(tracker_.stats().evictions.in_flight_requests, 0u);
  EXPECT_GT(tracker_.stats().evictions.header_bytes, 0u);
  EXPECT_GT(tracker_.stats().parse_errors, 0u);

  // An evicted connection comes back, an fd is reused, a close, a process exit.
  Data(1, 1, HG_ROLE_SERVER, HG_INGRESS, Get("/back"), 90);
  ExpectRecountEqual("an evicted connection comes back");
  Open(8, 2, HG_ROLE_SERVER, 91);
  ExpectRecountEqual("fd 8 reused");
  Close(8, 2, 92);
  ExpectRecountEqual("a close");
  tracker_.ForgetProcess(7);
  ExpectRecountEqual("the process exits");
  EXPECT_EQ(tracker_.stats().open_conns, 0u);
  EXPECT_EQ(tracker_.stats().pending_pairings, 0u);
}

}  // namespace
}  // namespace hugin
