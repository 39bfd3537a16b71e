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

// --- Matching by identity: paths /r/<run>/<n>..., as the load tools send them ---

namespace {

const std::string kRun = "0-1-h";

GroundTruthRecord Req(int port, int64_t start, uint64_t n, const std::string& tail = "/a",
                      int status = 200, const std::string& prefix = "r") {
  GroundTruthRecord g = Truth(port, start, start + 100, "/" + prefix + "/0-1-h/" +
                                                            std::to_string(n) + tail, status);
  return g;
}

}  // namespace

TEST(MatchByIdentity, EveryRequestFindsItsSpanWhateverTheOrder) {
  std::vector<GroundTruthRecord> truth;
  std::vector<SpanRecord> spans;
  for (int i = 0; i < 6; ++i) {
    truth.push_back(Req(5000 + i % 2, 1000 * i, i, "/p" + std::to_string(i)));
    spans.push_back(SpanFor(truth.back()));
  }
  std::reverse(spans.begin(), spans.end());
  const auto r = MatchSpansByIdentity(truth, spans, 8080, kRun);
  EXPECT_TRUE(r.identity_matched);
  EXPECT_EQ(r.requests, 6u);
  EXPECT_EQ(r.spans, 6u);
  EXPECT_EQ(r.matched, 6u);
  EXPECT_EQ(r.field_matched, 6u);
  EXPECT_EQ(r.phantom + r.misattributed + r.duplicate_spans, 0u);
  EXPECT_DOUBLE_EQ(r.field_match_rate(), 1.0);
}

TEST(MatchByIdentity, SpanGivenToTheNeighbourOnAnotherConnectionIsMisattributed) {
  // Requests 1 and 2 run at the same time on two connections. The agent reports request 1's
  // line on request 2's connection (and nothing else): overlap and fields all look right.
  const GroundTruthRecord a = Req(5000, 100, 1), b = Req(5001, 100, 2);
  SpanRecord wrong = SpanFor(a);
  wrong.peer_port = b.peer_port;
  const auto r = MatchSpansByIdentity({a, b}, {wrong}, 8080, kRun);
  EXPECT_EQ(r.misattributed, 1u);
  EXPECT_EQ(r.matched, 0u);
  EXPECT_EQ(r.phantom, 0u);
  EXPECT_DOUBLE_EQ(r.capture_rate(), 0.0);
  EXPECT_DOUBLE_EQ(r.field_match_rate(), 0.0);
}

TEST(MatchByIdentity, SpanGivenToTheNextRequestOnTheConnectionIsMisattributed) {
  // Keep-alive: request 1, then request 2 on the same connection. The span carries request 1's
  // path but request 2's times: request 2 was labelled with its neighbour's request line.
  const GroundTruthRecord a = Req(5000, 100, 1), b = Req(5000, 5000, 2);
  SpanRecord shifted = SpanFor(b);
  shifted.path = a.path;
  const auto r = MatchSpansByIdentity({a, b}, {SpanFor(a), shifted}, 8080, kRun);
  EXPECT_EQ(r.matched, 1u);  // request 1's own span
  EXPECT_EQ(r.misattributed, 1u);
  EXPECT_EQ(r.duplicate_spans, 0u);
  EXPECT_DOUBLE_EQ(r.capture_rate(), 0.5);
  EXPECT_DOUBLE_EQ(r.field_match_rate(), 0.5);
}

TEST(MatchByIdentity, StitchedSpanFailsFieldMatch) {
  // One span stitched from request 1's head and request 2's response: right identity, right
  // connection and time, wrong status and size.
  GroundTruthRecord a = Req(5000, 100, 1, "/ok", 200), b = Req(5000, 5000, 2, "/missing", 404);
  b.resp_bytes = 64;
  SpanRecord stitched = SpanFor(a);
  stitched.status = b.status;
  stitched.resp_bytes = b.resp_bytes;
  const auto r = MatchSpansByIdentity({a, b}, {stitched, SpanFor(b)}, 8080, kRun);
  EXPECT_EQ(r.matched, 2u);
  EXPECT_EQ(r.field_matched, 1u);
  EXPECT_EQ(r.mismatches.status, 1u);
  EXPECT_EQ(r.mismatches.resp_bytes, 1u);
  EXPECT_EQ(r.mismatches.path, 0u);
  EXPECT_DOUBLE_EQ(r.field_match_rate(), 0.5);
}

TEST(MatchByIdentity, DuplicatesAndPhantomsAreCounted) {
  const GroundTruthRecord a = Req(5000, 100, 1);
  SpanRecord unknown_n = SpanFor(Req(5000, 100, 99));
  SpanRecord no_identity = SpanFor(a);
  no_identity.path = "/hello";
  SpanRecord other_run = SpanFor(a);
  other_run.path = "/r/0-2-h/1/a";
  SpanRecord other_prefix = SpanFor(a);
  other_prefix.path = "/x/0-1-h/1/a";
  const auto r = MatchSpansByIdentity(
      {a}, {SpanFor(a), SpanFor(a), unknown_n, no_identity, other_run, other_prefix}, 8080, kRun);
  EXPECT_EQ(r.spans, 6u);
  EXPECT_EQ(r.matched, 1u);
  EXPECT_EQ(r.duplicate_spans, 1u);
  EXPECT_EQ(r.phantom, 4u);
  EXPECT_EQ(r.misattributed, 0u);
  EXPECT_DOUBLE_EQ(r.field_match_rate(), 1.0);  // duplicates and phantoms are counted apart
}

TEST(MatchByIdentity, WarmupIsLeftOutOfEveryFigure) {
  std::vector<GroundTruthRecord> truth{Req(5000, 100, 1)};
  std::vector<SpanRecord> spans{SpanFor(truth[0])};
  for (uint64_t n = 1; n <= 3; ++n) {  // the warm-up reuses n: another prefix, another identity
    truth.push_back(Req(5002, 10 * n, n, "/a", 200, "w"));
    if (n != 2) spans.push_back(SpanFor(truth.back()));  // one warm-up span missing: no matter
  }
  const auto r = MatchSpansByIdentity(truth, spans, 8080, kRun);
  EXPECT_EQ(r.requests, 1u);
  EXPECT_EQ(r.spans, 1u);
  EXPECT_EQ(r.matched, 1u);
  EXPECT_EQ(r.phantom, 0u);
  EXPECT_DOUBLE_EQ(r.capture_rate(), 1.0);
  EXPECT_EQ(r.duration_delta_ns.size(), 1u);
}

TEST(MatchByIdentity, H2loadSendsEveryNOncePerConnection) {
  // The identity is (peer port, n): each connection's n=0 is its own request.
  const GroundTruthRecord a = Req(5000, 100, 0), b = Req(5001, 120, 0), c = Req(5002, 140, 0);
  SpanRecord stranger = SpanFor(c);
  stranger.peer_port = 5003;  // n=0 exists, but not on this connection
  const auto r = MatchSpansByIdentity({a, b, c}, {SpanFor(a), SpanFor(b), SpanFor(c), stranger},
                                      8080, kRun);
  EXPECT_TRUE(r.identity_matched);
  EXPECT_EQ(r.matched, 3u);
  EXPECT_EQ(r.misattributed, 1u);
  EXPECT_EQ(r.phantom, 0u);
}

TEST(MatchByIdentity, RepeatedIdentityIsNotIdentityMatched) {
  // A client that wrapped around its URI list sends n=0 twice on one connection.
  const GroundTruthRecord a = Req(5000, 100, 0), again = Req(5000, 9000, 0);
  const auto r = MatchSpansByIdentity({a, again}, {SpanFor(a), SpanFor(again)}, 8080, kRun);
  EXPECT_FALSE(r.identity_matched);
  EXPECT_EQ(r.matched, 2u);  // still told apart by time
}

TEST(MatchByIdentity, RequestWithoutIdentityCannotBeCaptured) {
  // The fixture logged a path the load never sent (say it rewrote it): a request no span can
  // name, and the agent's span for it a phantom.
  GroundTruthRecord rewritten = Req(5000, 100, 1);
  SpanRecord span = SpanFor(rewritten);
  rewritten.path = "/r/0-1-h/x1";
  const auto r = MatchSpansByIdentity({rewritten}, {span}, 8080, kRun);
  EXPECT_EQ(r.requests, 1u);
  EXPECT_EQ(r.matched, 0u);
  EXPECT_EQ(r.phantom, 1u);
}

TEST(MatchByIdentity, OnlyServerSpansOnTheFixturePort) {
  const GroundTruthRecord a = Req(5000, 100, 1);
  SpanRecord client = SpanFor(a);
  client.kind = "client";
  const auto r = MatchSpansByIdentity({a}, {client, SpanFor(a, 9090)}, 8080, kRun);
  EXPECT_EQ(r.spans, 0u);
  EXPECT_EQ(r.matched, 0u);
}

TEST(Match, TimeOverlapFallbackIsNotIdentityMatched) {
  std::vector<GroundTruthRecord> truth{Truth(5000, 100, 200, "/hugin.fixture.Echo/Unary")};
  const auto r = MatchSpans(truth, {SpanFor(truth[0])}, 8080);
  EXPECT_FALSE(r.identity_matched);
  EXPECT_EQ(r.matched, 1u);
}

}  // namespace hugin::harness

namespace hugin::harness {

TEST(Match, GrpcStatusIsComparedWithTheSpansGrpcStatusNotItsHttpStatus) {
  std::vector<GroundTruthRecord> truth{Truth(5000, 100, 200, "/hugin.fixture.Echo/Unary", 5),
                                       Truth(5000, 1100, 1200, "/hugin.fixture.Echo/Unary", 0)};
  for (auto& g : truth) g.proto = "grpc", g.method = "POST";
  std::vector<SpanRecord> spans{SpanFor(truth[0]), SpanFor(truth[1])};
  for (auto& s : spans) s.protocol = "grpc", s.status = 200;  // the HTTP :status
  spans[0].grpc_status = 5;
  spans[1].grpc_status = 2;  // wrong
  const auto r = MatchSpans(truth, spans, 8080);
  EXPECT_EQ(r.matched, 2u);
  EXPECT_EQ(r.field_matched, 1u);
  EXPECT_EQ(r.mismatches.status, 1u);
}

}  // namespace hugin::harness
