#include "harness/analyze/match.h"

#include <gtest/gtest.h>

namespace hugin::harness {
namespace {

GroundTruthRecord Truth(int port, int64_t start, int64_t end, const std::string& path = "/a",
                        int status = 200) {
  GroundTruthRecord g;
  g.method = "GET";
  g.path = path;
  g.status = status;
  g.resp_bytes = 10;
  g.start_ns = start;
  g.end_ns = end;
  g.peer_port = port;
  return g;
}

// A span that wraps the handler: read of the request before, write of the response after.
SpanRecord SpanFor(const GroundTruthRecord& g, int server_port = 8080, int64_t before = 20,
                   int64_t after = 30) {
  SpanRecord s;
  s.kind = "server";
  s.method = g.method;
  s.path = g.path;
  s.status = g.status;
  s.resp_bytes = g.resp_bytes;
  s.start_ns = g.start_ns - before;
  s.end_ns = g.end_ns + after;
  s.duration_ns = s.end_ns - s.start_ns;
  s.local_port = server_port;
  s.peer_port = g.peer_port;
  return s;
}

}  // namespace

TEST(Match, KeepAliveConnectionMatchesInOrder) {
  std::vector<GroundTruthRecord> truth;
  std::vector<SpanRecord> spans;
  for (int i = 0; i < 5; ++i) {
    truth.push_back(Truth(5000, 1000 * i + 100, 1000 * i + 200, "/p" + std::to_string(i)));
    spans.push_back(SpanFor(truth.back()));
  }
  std::reverse(spans.begin(), spans.end());  // output order must not matter
  const auto r = MatchSpans(truth, spans, 8080);
  EXPECT_EQ(r.requests, 5u);
  EXPECT_EQ(r.matched, 5u);
  EXPECT_EQ(r.field_matched, 5u);
  EXPECT_EQ(r.phantom, 0u);
  EXPECT_DOUBLE_EQ(r.capture_rate(), 1.0);
  ASSERT_EQ(r.duration_delta_ns.size(), 5u);
  EXPECT_DOUBLE_EQ(r.duration_delta_ns[0], 50);
}

TEST(Match, MissingSpanLowersCaptureRate) {
  std::vector<GroundTruthRecord> truth{Truth(5000, 100, 200), Truth(5000, 1100, 1200),
                                       Truth(5001, 150, 250)};
  std::vector<SpanRecord> spans{SpanFor(truth[0]), SpanFor(truth[2])};
  const auto r = MatchSpans(truth, spans, 8080);
  EXPECT_EQ(r.matched, 2u);
  EXPECT_NEAR(r.capture_rate(), 2.0 / 3.0, 1e-12);
  EXPECT_EQ(r.phantom, 0u);
  // Which request is missing is what loss attribution needs.
  EXPECT_EQ(r.truth_matched, (std::vector<bool>{true, false, true}));
}

TEST(Match, FieldMismatchesAreCountedPerField) {
  std::vector<GroundTruthRecord> truth{Truth(5000, 100, 200, "/a", 404), Truth(5000, 1100, 1200)};
  std::vector<SpanRecord> spans{SpanFor(truth[0]), SpanFor(truth[1])};
  spans[0].status = 200;
  spans[1].path = "/a?x=1";
  spans[1].resp_bytes = 9;
  const auto r = MatchSpans(truth, spans, 8080);
  EXPECT_EQ(r.matched, 2u);
  EXPECT_EQ(r.field_matched, 0u);
  EXPECT_EQ(r.mismatches.status, 1u);
  EXPECT_EQ(r.mismatches.path, 1u);
  EXPECT_EQ(r.mismatches.resp_bytes, 1u);
  EXPECT_EQ(r.mismatches.method, 0u);
  EXPECT_DOUBLE_EQ(r.field_match_rate(), 0.0);
}

TEST(Match, SpanWithoutRequestIsPhantom) {
  std::vector<GroundTruthRecord> truth{Truth(5000, 100, 200)};
  std::vector<SpanRecord> spans{SpanFor(truth[0]), SpanFor(Truth(5000, 5000, 5100)),
                                SpanFor(Truth(7000, 100, 200))};
  const auto r = MatchSpans(truth, spans, 8080);
  EXPECT_EQ(r.matched, 1u);
  EXPECT_EQ(r.spans, 3u);
  EXPECT_EQ(r.phantom, 2u);
}

TEST(Match, ReusedClientPortIsToldApartByTime) {
  // Two connections from the same client port, far apart in time, spans listed out of order.
  std::vector<GroundTruthRecord> truth{Truth(5000, 100, 200, "/first"),
                                       Truth(5000, 900000, 900100, "/second")};
  std::vector<SpanRecord> spans{SpanFor(truth[1]), SpanFor(truth[0])};
  const auto r = MatchSpans(truth, spans, 8080);
  EXPECT_EQ(r.matched, 2u);
  EXPECT_EQ(r.field_matched, 2u);
}

TEST(Match, ClientSpansAndOtherPortsAreIgnored) {
  std::vector<GroundTruthRecord> truth{Truth(5000, 100, 200)};
  SpanRecord client = SpanFor(truth[0]);
  client.kind = "client";
  SpanRecord other_service = SpanFor(truth[0], 9090);
  const auto r = MatchSpans(truth, {client, other_service}, 8080);
  EXPECT_EQ(r.spans, 0u);
  EXPECT_EQ(r.matched, 0u);
  EXPECT_EQ(r.phantom, 0u);
}

TEST(Match, NonOverlappingSpanDoesNotMatch) {
  std::vector<GroundTruthRecord> truth{Truth(5000, 100, 200)};
  SpanRecord late = SpanFor(Truth(5000, 300, 400));
  const auto r = MatchSpans(truth, {late}, 8080);
  EXPECT_EQ(r.matched, 0u);
  EXPECT_EQ(r.phantom, 1u);
}

TEST(Match, EachSpanMatchesOnlyOnce) {
  // Pipelined requests whose intervals overlap: one span cannot serve both.
  std::vector<GroundTruthRecord> truth{Truth(5000, 100, 300), Truth(5000, 150, 350)};
  std::vector<SpanRecord> spans{SpanFor(truth[0])};
  const auto r = MatchSpans(truth, spans, 8080);
  EXPECT_EQ(r.matched, 1u);
}

}  // namespace hugin::harness
