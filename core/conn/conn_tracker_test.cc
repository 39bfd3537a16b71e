#include "core/conn/conn_tracker.h"

#include <gtest/gtest.h>

#include "core/conn/tracker_testing.h"

#include <string>
#include <vector>

namespace hugin {
namespace {

const std::string kGet = "GET /hello?x=1 HTTP/1.1\r\nHost: a\r\n\r\n";
const std::string kOk = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";

TEST_F(TrackerTest, ServerExchangeBecomesOneSpanWithEveryField) {
  Open(5, 1, HG_ROLE_SERVER);
  Data(5, 1, HG_ROLE_SERVER, HG_INGRESS, kGet, 100, /*arrival=*/90);
  Data(5, 1, HG_ROLE_SERVER, HG_EGRESS, kOk, 250);
  ASSERT_EQ(spans_.size(), 1u);
  const Span& s = spans_[0];
  EXPECT_EQ(s.kind, SpanKind::kServer);
  EXPECT_EQ(s.method, "GET");
  EXPECT_EQ(s.path, "/hello");
  EXPECT_EQ(s.status, 200);
  EXPECT_EQ(s.response_body_bytes, 5u);
  EXPECT_EQ(s.request_body_bytes, 0u);
  EXPECT_EQ(s.start_ns, 90u);
  EXPECT_EQ(s.processing_start_ns, 100u);
  EXPECT_EQ(s.end_ns, 250u);
  EXPECT_EQ(s.wall_start_ns, 1090);
  EXPECT_EQ(s.local.ip, "127.0.0.1");
  EXPECT_EQ(s.local.port, 8080);
  EXPECT_EQ(s.peer.port, 40000);
  EXPECT_EQ(s.pid, 7u);
  EXPECT_EQ(s.service_name, "svc7");
}

TEST_F(TrackerTest, ClientRoleSwapsDirections) {
  Open(6, 1, HG_ROLE_CLIENT);
  Data(6, 1, HG_ROLE_CLIENT, HG_EGRESS, "POST /up HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc", 10);
  Data(6, 1, HG_ROLE_CLIENT, HG_INGRESS, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n", 30);
  ASSERT_EQ(spans_.size(), 1u);
  EXPECT_EQ(spans_[0].kind, SpanKind::kClient);
  EXPECT_EQ(spans_[0].status, 201);
  EXPECT_EQ(spans_[0].request_body_bytes, 3u);
  EXPECT_EQ(spans_[0].start_ns, 10u);
  EXPECT_EQ(spans_[0].end_ns, 30u);
}

TEST_F(TrackerTest, KeepAliveAndPipelining) {
  Open(5, 1, HG_ROLE_SERVER);
  for (int i = 0; i < 100; i++) {
    Data(5, 1, HG_ROLE_SERVER, HG_INGRESS, kGet + kGet, 10 * i);  // two pipelined
    Data(5, 1, HG_ROLE_SERVER, HG_EGRESS, kOk + kOk, 10 * i + 5);
  }
  EXPECT_EQ(spans_.size(), 200u);
  EXPECT_EQ(tracker_.stats().spans, 200u);
}

TEST_F(TrackerTest, FdReuseStartsANewConnection) {
  Open(5, 1, HG_ROLE_SERVER);
  Data(5, 1, HG_ROLE_SERVER, HG_INGRESS, kGet, 10);  // request never answered
  pos_.erase(5);
  Open(5, 2, HG_ROLE_SERVER);  // same fd, new connection, no close seen
  Data(5, 2, HG_ROLE_SERVER, HG_INGRESS, kGet, 20);
  Data(5, 2, HG_ROLE_SERVER, HG_EGRESS, kOk, 30);
  ASSERT_EQ(spans_.size(), 1u);
  EXPECT_EQ(spans_[0].processing_start_ns, 20u);
  EXPECT_EQ(tracker_.stats().unmatched_requests, 1u);
  EXPECT_EQ(tracker_.stats().open_conns, 1u);
}

// The socket data path ends a connection with its socket, which can outlive its fd: the next
// connection on the fd may open first, and the older one's last records come after.
TEST_F(TrackerTest, AnOlderConnectionsLateRecordsLeaveTheFdsNewConnectionAlone) {
  Open(5, 1, HG_ROLE_SERVER);
  Data(5, 1, HG_ROLE_SERVER, HG_INGRESS, kGet, 10);
  Data(5, 1, HG_ROLE_SERVER, HG_EGRESS, kOk, 11);
  pos_.erase(5);
  Open(5, 2, HG_ROLE_SERVER, 20);  // the fd's next connection, before the older one's end
  Data(5, 2, HG_ROLE_SERVER, HG_INGRESS, kGet, 21);
  events::DataEvent late;  // a call in flight on the older socket during close()
  late.c = C(5, 1, HG_ROLE_SERVER, 22);
  late.dir = HG_INGRESS;
  late.pos = kGet.size();
  late.len = kGet.size();
  late.payload = kGet;
  tracker_.OnData(late);
  events::CloseEvent end;  // the older socket's end
  end.c = C(5, 1, HG_ROLE_SERVER, 23);
  end.bytes[HG_INGRESS] = 2 * kGet.size();
  end.bytes[HG_EGRESS] = kOk.size();
  tracker_.OnClose(end);
  Data(5, 2, HG_ROLE_SERVER, HG_EGRESS, kOk, 24);
  ASSERT_EQ(spans_.size(), 2u);
  EXPECT_EQ(spans_[1].processing_start_ns, 21u);
  EXPECT_EQ(spans_[1].end_ns, 24u);
  EXPECT_EQ(tracker_.stats().stale_records, 1u);
  EXPECT_EQ(tracker_.stats().unmatched_requests, 0u);
  EXPECT_EQ(tracker_.stats().open_conns, 1u);
}

TEST_F(TrackerTest, LostOpenRecordStillYieldsSpans) {
  Data(9, 4, HG_ROLE_SERVER, HG_INGRESS, kGet, 10);
  Data(9, 4, HG_ROLE_SERVER, HG_EGRESS, kOk, 20);
  ASSERT_EQ(spans_.size(), 1u);
  EXPECT_EQ(spans_[0].peer.port, 0);  // address unknown, not invented
}

TEST_F(TrackerTest, LostDataEventIsAGapNotAWrongSpan) {
  // The two requests differ in every field a span takes from them, so a span that mixed the
  // lost exchange with the next one would show it.
  const std::string second = "DELETE /second/7 HTTP/1.1\r\nHost: a\r\n\r\n";
  const std::string no_content = "HTTP/1.1 204 No Content\r\n\r\n";
  Open(5, 1, HG_ROLE_SERVER);
  Data(5, 1, HG_ROLE_SERVER, HG_INGRESS, kGet, 10, /*arrival=*/8);
  pos_[5][HG_EGRESS] += 1000;  // a response record lost in the ring buffer
  Data(5, 1, HG_ROLE_SERVER, HG_INGRESS, second, 30, /*arrival=*/25);
  Data(5, 1, HG_ROLE_SERVER, HG_EGRESS, no_content, 40);
  Close(5, 1, 50);  // a pairing made by time after a loss stands once the close shows no more
  // The answer seen belongs to the second request; the first is reported unpaired, never
  // given the second one's answer.
  ASSERT_EQ(spans_.size(), 1u);
  const Span& s = spans_[0];
  EXPECT_EQ(s.kind, SpanKind::kServer);
  EXPECT_EQ(s.method, "DELETE");
  EXPECT_EQ(s.path, "/second/7");
  EXPECT_EQ(s.status, 204);
  EXPECT_EQ(s.start_ns, 25u);
  EXPECT_EQ(s.processing_start_ns, 30u);
  EXPECT_EQ(s.end_ns, 40u);
  EXPECT_EQ(s.response_body_bytes, 0u);
  ASSERT_EQ(unpaired_.size(), 1u);
  EXPECT_EQ(unpaired_[0].request_ns, 10u);
  EXPECT_EQ(tracker_.stats().stream_gaps, 1u);
  EXPECT_EQ(tracker_.stats().unmatched_requests, 1u);
  EXPECT_EQ(tracker_.stats().spans, 1u);
}

TEST_F(TrackerTest, LostDataRecordIsReportedAsOneGapWithItsWindow) {
  Open(5, 1, HG_ROLE_SERVER, /*ts=*/1);
  Data(5, 1, HG_ROLE_SERVER, HG_INGRESS, kGet, 10);
  Data(5, 1, HG_ROLE_SERVER, HG_EGRESS, kOk, 20);
  Data(5, 1, HG_ROLE_SERVER, HG_INGRESS, kGet, 25);
  pos_[5][HG_EGRESS] += 1000;  // a response record lost in the ring buffer
  Data(5, 1, HG_ROLE_SERVER, HG_INGRESS, kGet, 30);
  Data(5, 1, HG_ROLE_SERVER, HG_EGRESS, kOk, 40);
  ASSERT_EQ(gaps_.size(), 1u);
  const StreamGap& g = gaps_[0];
  EXPECT_EQ(g.pid, 7u);
  EXPECT_EQ(g.fd, 5);
  EXPECT_EQ(g.generation, 1u);
  EXPECT_EQ(g.local_port, 8080);
  EXPECT_EQ(g.peer_port, 40000);
  EXPECT_EQ(g.direction, Direction::kEgress);
  EXPECT_EQ(g.bytes, 1000u);
  EXPECT_EQ(g.after_ns, 20u);   // the last egress record, not the ingress ones after it
  EXPECT_EQ(g.before_ns, 40u);
}

TEST_F(TrackerTest, FirstRecordPastZeroIsAGapSinceTheOpen) {
  Open(5, 1, HG_ROLE_SERVER, /*ts=*/5);
  pos_[5][HG_INGRESS] = 300;  // the first request's records were lost
  Data(5, 1, HG_ROLE_SERVER, HG_INGRESS, kGet, 50);
  ASSERT_EQ(gaps_.size(), 1u);
  EXPECT_EQ(gaps_[0].direction, Direction::kIngress);
  EXPECT_EQ(gaps_[0].bytes, 300u);
  EXPECT_EQ(gaps_[0].after_ns, 5u);
  EXPECT_EQ(gaps_[0].before_ns, 50u);
}

TEST_F(TrackerTest, RecordsResumedAfterKernelAggregationAreNoGapAndStillSpans) {
  Open(5, 1, HG_ROLE_SERVER, /*ts=*/5);
  // The kernel counted the first exchanges itself (cfg_kernel_http1), then handed the
  // connection back: the next records start past 0 in both directions, flagged.
  pos_[5][HG_INGRESS] = 300;
  pos_[5][HG_EGRESS] = 900;
  Resumed(5, 1, HG_ROLE_SERVER, HG_INGRESS, kGet, 50);
  Resumed(5, 1, HG_ROLE_SERVER, HG_EGRESS, kOk, 60);
  Data(5, 1, HG_ROLE_SERVER, HG_INGRESS, kGet, 70);
  Data(5, 1, HG_ROLE_SERVER, HG_EGRESS, kOk, 80);
  EXPECT_TRUE(gaps_.empty());
  EXPECT_EQ(tracker_.stats().stream_gaps, 0u);
  ASSERT_EQ(spans_.size(), 2u);
  EXPECT_EQ(spans_[0].status, 200);
  EXPECT_EQ(spans_[0].end_ns, 60u);
  EXPECT_EQ(spans_[1].end_ns, 80u);
}

TEST_F(TrackerTest, AGapAfterAResumedRecordIsStillAGap) {
  Open(5, 1, HG_ROLE_SERVER, /*ts=*/5);
  pos_[5][HG_INGRESS] = 300;
  Resumed(5, 1, HG_ROLE_SERVER, HG_INGRESS, kGet, 50);
  pos_[5][HG_INGRESS] += 100;  // a record lost after the resume
  Data(5, 1, HG_ROLE_SERVER, HG_INGRESS, kGet, 70);
  ASSERT_EQ(gaps_.size(), 1u);
  EXPECT_EQ(gaps_[0].bytes, 100u);
}

TEST_F(TrackerTest, GapWithoutTheOpenRecordStartsAtTheGeneration) {
  pos_[9][HG_EGRESS] = 64;
  Data(9, /*gen=*/4000, HG_ROLE_CLIENT, HG_EGRESS, kGet, 5000);
  ASSERT_EQ(gaps_.size(), 1u);
  EXPECT_EQ(gaps_[0].after_ns, 4000u);  // the kernel began tracking it then
  EXPECT_EQ(gaps_[0].local_port, 0);    // unknown, not invented
  EXPECT_EQ(gaps_[0].peer_port, 0);
}

TEST_F(TrackerTest, InOrderAndOverlappingRecordsAreNoGap) {
  Open(5, 1, HG_ROLE_SERVER);
  for (int i = 0; i < 10; i++) {
    Data(5, 1, HG_ROLE_SERVER, HG_INGRESS, kGet, 10 * i + 2);
    Data(5, 1, HG_ROLE_SERVER, HG_EGRESS, kOk, 10 * i + 5);
  }
  pos_[5][HG_INGRESS] -= kGet.size();  // the same bytes again (records crossing)
  Data(5, 1, HG_ROLE_SERVER, HG_INGRESS, kGet, 200);
  EXPECT_TRUE(gaps_.empty());
}

TEST_F(TrackerTest, ResponseAfterALostOneStillCountsWhenTheCloseShowsNoRequestLost) {
  Open(5, 1, HG_ROLE_SERVER);
  Data(5, 1, HG_ROLE_SERVER, HG_INGRESS, kGet, 10);
  pos_[5][HG_EGRESS] += kOk.size();  // the first response was lost in the ring buffer
  Data(5, 1, HG_ROLE_SERVER, HG_INGRESS, kGet, 30);
  Data(5, 1, HG_ROLE_SERVER, HG_EGRESS, kOk, 40);
  Close(5, 1, 50);  // byte counts at close: every request byte was seen
  ASSERT_EQ(spans_.size(), 1u);  // the first request lost its response, the second did not
  EXPECT_EQ(spans_[0].processing_start_ns, 30u);
  EXPECT_EQ(spans_[0].status, 200);
  EXPECT_EQ(tracker_.stats().unmatched_requests, 1u);
  // The request whose answer was lost is reported, not dropped in silence.
  ASSERT_EQ(unpaired_.size(), 1u);
  EXPECT_EQ(unpaired_[0].request_ns, 10u);
  EXPECT_EQ(unpaired_[0].fd, 5);
  EXPECT_EQ(unpaired_[0].generation, 1u);
}

TEST_F(TrackerTest, UnknownRoleIsInferredFromFirstRecognisedBytes) {
  // A connection that predates the agent: mid-body bytes first, then requests.
  Data(3, 8, HG_ROLE_UNKNOWN, HG_INGRESS, "tail of an old body", 5);
  EXPECT_EQ(tracker_.stats().unclassified_chunks, 1u);
  Data(3, 8, HG_ROLE_UNKNOWN, HG_INGRESS, kGet, 10);
  Data(3, 8, HG_ROLE_UNKNOWN, HG_EGRESS, kOk, 20);
  ASSERT_EQ(spans_.size(), 1u);
  EXPECT_EQ(spans_[0].kind, SpanKind::kServer);
  // And an outbound one: the process writes a request.
  Data(4, 9, HG_ROLE_UNKNOWN, HG_EGRESS, kGet, 30);
  Data(4, 9, HG_ROLE_UNKNOWN, HG_INGRESS, kOk, 40);
  ASSERT_EQ(spans_.size(), 2u);
  EXPECT_EQ(spans_[1].kind, SpanKind::kClient);
}

TEST_F(TrackerTest, CloseCompletesCloseDelimitedResponse) {
  Open(5, 1, HG_ROLE_SERVER);
  Data(5, 1, HG_ROLE_SERVER, HG_INGRESS, kGet, 10);
  Data(5, 1, HG_ROLE_SERVER, HG_EGRESS, "HTTP/1.0 200 OK\r\n\r\nstreamed until close", 20);
  EXPECT_TRUE(spans_.empty());
  Close(5, 1, 50);
  ASSERT_EQ(spans_.size(), 1u);
  EXPECT_EQ(spans_[0].response_body_bytes, 20u);
  EXPECT_EQ(tracker_.stats().open_conns, 0u);
}

TEST_F(TrackerTest, GarbageIsCountedNeverCrashes) {
  Open(5, 1, HG_ROLE_SERVER);
  std::string junk(300, '\0');
  for (size_t i = 0; i < junk.size(); i++) junk[i] = static_cast<char>(i * 37);
  // Garbage at the start of a connection switches its capture off (CapturePolicyTest);
  // garbage after a first exchange is a parse error the stream recovers from.
  Data(5, 1, HG_ROLE_SERVER, HG_INGRESS, kGet, 5);
  Data(5, 1, HG_ROLE_SERVER, HG_EGRESS, kOk, 8);
  Data(5, 1, HG_ROLE_SERVER, HG_INGRESS, junk, 10);
  Data(5, 1, HG_ROLE_SERVER, HG_INGRESS, kGet, 20);
  Data(5, 1, HG_ROLE_SERVER, HG_EGRESS, kOk, 30);
  EXPECT_GE(tracker_.stats().parse_errors, 1u);
  ASSERT_EQ(spans_.size(), 2u);
  EXPECT_EQ(spans_[1].path, "/hello");
  EXPECT_EQ(tracker_.stats().capture_off_conns, 0u);
  uint8_t bad[3] = {1, 2, 3};
  tracker_.OnRecord(bad, sizeof(bad));
  EXPECT_EQ(tracker_.stats().decode_errors, 1u);
}

// stats() keeps running totals: a connection's parse errors and gaps count once, whether it is
// still open or closed since.
TEST_F(TrackerTest, StatsCountEachConnectionOnceOpenOrClosed) {
  std::string junk(300, '\0');
  for (size_t i = 0; i < junk.size(); i++) junk[i] = static_cast<char>(i * 37);
  // Junk after a first exchange (junk at a connection's start switches its capture off).
  Open(5, 1, HG_ROLE_SERVER);
  Data(5, 1, HG_ROLE_SERVER, HG_INGRESS, kGet, 5);
  Data(5, 1, HG_ROLE_SERVER, HG_EGRESS, kOk, 8);
  Data(5, 1, HG_ROLE_SERVER, HG_INGRESS, junk, 10);
  const uint64_t one = tracker_.stats().parse_errors;
  ASSERT_GE(one, 1u);
  Close(5, 1, 20);
  EXPECT_EQ(tracker_.stats().parse_errors, one);
  Open(6, 1, HG_ROLE_SERVER);
  Data(6, 1, HG_ROLE_SERVER, HG_INGRESS, kGet, 25);
  Data(6, 1, HG_ROLE_SERVER, HG_EGRESS, kOk, 28);
  Data(6, 1, HG_ROLE_SERVER, HG_INGRESS, junk, 30);
  EXPECT_EQ(tracker_.stats().parse_errors, 2 * one);
  Close(6, 1, 40);
  EXPECT_EQ(tracker_.stats().parse_errors, 2 * one);

  Open(7, 1, HG_ROLE_SERVER);
  Data(7, 1, HG_ROLE_SERVER, HG_INGRESS, kGet, 50);
  pos_[7][HG_INGRESS] += 100;  // a lost record
  Data(7, 1, HG_ROLE_SERVER, HG_INGRESS, kGet, 60);
  const uint64_t gaps = tracker_.stats().stream_gaps;
  EXPECT_GE(gaps, 1u);
  tracker_.ForgetProcess(7);
  EXPECT_EQ(tracker_.stats().stream_gaps, gaps);
  EXPECT_EQ(tracker_.stats().parse_errors, 2 * one);
  EXPECT_EQ(tracker_.stats().open_conns, 0u);
}

// Addresses and the service name are formatted once per connection: every span still carries
// its own connection's, and a reused fd the new connection's.
TEST_F(TrackerTest, SpanAddressesBelongToTheirConnection) {
  Open(5, 1, HG_ROLE_SERVER, 1, 5);
  Open(6, 1, HG_ROLE_SERVER, 1, 6);
  for (int i = 0; i < 2; i++) {
    Data(5, 1, HG_ROLE_SERVER, HG_INGRESS, kGet, 10 + 10 * i);
    Data(6, 1, HG_ROLE_SERVER, HG_INGRESS, kGet, 11 + 10 * i);
    Data(6, 1, HG_ROLE_SERVER, HG_EGRESS, kOk, 12 + 10 * i);
    Data(5, 1, HG_ROLE_SERVER, HG_EGRESS, kOk, 13 + 10 * i);
  }
  Close(5, 1, 50);
  Open(5, 2, HG_ROLE_SERVER, 60, 50);
  Data(5, 2, HG_ROLE_SERVER, HG_INGRESS, kGet, 70);
  Data(5, 2, HG_ROLE_SERVER, HG_EGRESS, kOk, 80);
  std::vector<std::string> peers;
  for (const Span& s : spans_) {
    peers.push_back(s.peer.ip);
    EXPECT_EQ(s.local.ip, "127.0.0.1");
    EXPECT_EQ(s.service_name, "svc7");
  }
  EXPECT_EQ(peers, (std::vector<std::string>{"127.0.0.6", "127.0.0.5", "127.0.0.6", "127.0.0.5",
                                             "127.0.0.50"}));
}

TEST_F(TrackerTest, ForgetProcessDropsItsConnections) {
  Open(5, 1, HG_ROLE_SERVER);
  Open(6, 1, HG_ROLE_SERVER);
  EXPECT_EQ(tracker_.stats().open_conns, 2u);
  tracker_.ForgetProcess(7);
  EXPECT_EQ(tracker_.stats().open_conns, 0u);
}

}  // namespace
}  // namespace hugin

namespace hugin {
namespace {

class CapturePolicyTest : public TrackerTest {
 protected:
  CapturePolicyTest() {
    tracker_.SetCapturePolicySink([this](const events::ConnId& c, hg_capture_mode m, bool tls) {
      policies_.push_back({c.fd, m});
      policy_tls_.push_back(tls);
    });
  }
  std::vector<std::pair<int, hg_capture_mode>> policies_;
  std::vector<bool> policy_tls_;
};

TEST_F(CapturePolicyTest, AServerConnectionWhoseFirstBytesAreNotHttpIsSwitchedOff) {
  Open(5, 1, HG_ROLE_SERVER);
  // A TLS ClientHello's first bytes (record header, handshake header, version, random).
  std::string hello("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11);
  hello += std::string(53, '\x5a');
  Data(5, 1, HG_ROLE_SERVER, HG_INGRESS, hello, 100);
  ASSERT_EQ(policies_.size(), 1u);
  EXPECT_EQ(policies_[0].first, 5);
  EXPECT_EQ(policies_[0].second, HG_CAPTURE_OFF);
  // What still arrives before the kernel re-reads its policy is ignored, even if it looks
  // like HTTP: no span, no parse error.
  Data(5, 1, HG_ROLE_SERVER, HG_INGRESS, kGet, 200);
  Data(5, 1, HG_ROLE_SERVER, HG_EGRESS, kOk, 300);
  EXPECT_TRUE(spans_.empty());
  EXPECT_EQ(tracker_.stats().capture_off_conns, 1u);
  EXPECT_EQ(tracker_.stats().parse_errors, 0u);
  EXPECT_EQ(policies_.size(), 1u) << "asked once per connection";
}

TEST_F(CapturePolicyTest, AServerThatSpeaksFirstIsNotHttp) {
  Open(6, 1, HG_ROLE_SERVER);
  Data(6, 1, HG_ROLE_SERVER, HG_EGRESS, std::string("J\0\0\0\x0a" "8.0.36\0", 12), 100);
  ASSERT_EQ(policies_.size(), 1u);
  EXPECT_EQ(policies_[0].second, HG_CAPTURE_OFF);
}

TEST_F(CapturePolicyTest, HttpAndUndecidableStartsKeepCapturing) {
  // A request split after two bytes: "GE" could still be GET.
  Open(5, 1, HG_ROLE_SERVER);
  Data(5, 1, HG_ROLE_SERVER, HG_INGRESS, kGet.substr(0, 2), 100);
  Data(5, 1, HG_ROLE_SERVER, HG_INGRESS, kGet.substr(2), 110);
  Data(5, 1, HG_ROLE_SERVER, HG_EGRESS, kOk, 200);
  // A response first: the request's record was lost; the connection is still HTTP.
  Open(8, 1, HG_ROLE_SERVER);
  Data(8, 1, HG_ROLE_SERVER, HG_EGRESS, kOk, 300);
  // A client connection: its requests go out.
  Open(9, 1, HG_ROLE_CLIENT);
  Data(9, 1, HG_ROLE_CLIENT, HG_EGRESS, kGet, 400);
  Data(9, 1, HG_ROLE_CLIENT, HG_INGRESS, kOk, 500);
  // A connection that predates the agent may be mid-body: never judged by its first record.
  Data(11, 1, HG_ROLE_UNKNOWN, HG_INGRESS, "garbage-in-the-middle", 600);
  EXPECT_TRUE(policies_.empty());
  EXPECT_EQ(spans_.size(), 2u);
  EXPECT_EQ(tracker_.stats().capture_off_conns, 0u);
}

}  // namespace
}  // namespace hugin

// The tracker knows no protocol: a toy one (requests "Q <name>\n", answers "A <code>\n",
// needing full capture) goes through the same contract as HTTP/1.
namespace hugin {
namespace {

class ToyParser : public protocols::ConnectionParser {
 public:
  void OnData(protocols::Sender from, const protocols::Chunk& c) override {
    std::string_view d = c.data;
    if (from == protocols::Sender::kClient) {
      line_.append(d);  // a request may come in pieces
      if (line_.empty() || line_.back() != '\n') return;
      protocols::Exchange x;
      x.protocol = "toy";
      x.method = "Q";
      x.path = line_.substr(2, line_.size() - 3);
      x.req_start_ns = x.req_end_ns = c.ts_ns;
      pending_.push_back(x);
      line_.clear();
    } else if (from == protocols::Sender::kServer && !pending_.empty() && d.size() > 2) {
      protocols::Exchange x = pending_.front();
      pending_.erase(pending_.begin());
      x.answered = true;
      x.status = std::stoi(std::string(d.substr(2)));
      x.resp_start_ns = x.resp_end_ns = c.ts_ns;
      done_.push_back(x);
    }
  }
  void OnClose(uint64_t, std::optional<uint64_t>) override {
    for (auto& x : pending_) done_.push_back(x);  // unanswered
    pending_.clear();
  }
  void TakeExchanges(std::vector<protocols::Exchange>& out) override {
    for (auto& x : done_) out.push_back(x);
    done_.clear();
  }
  protocols::ParserStats stats() const override { return {}; }
  size_t pending() const override { return pending_.size(); }
  bool DropOldestPending() override {
    if (pending_.empty()) return false;
    done_.push_back(pending_.front());  // unanswered
    pending_.erase(pending_.begin());
    return true;
  }

 private:
  std::vector<protocols::Exchange> pending_, done_;
  std::string line_;
};

protocols::Inference ToyInfer(std::string_view b, uint64_t, bool) {
  if (b.size() < 2) return {b == "Q" || b == "A" ? protocols::Verdict::kMaybe
                                                  : protocols::Verdict::kNo, {}};
  if (b.substr(0, 2) == "Q ") return {protocols::Verdict::kYes, protocols::Sender::kClient};
  if (b.substr(0, 2) == "A ") return {protocols::Verdict::kYes, protocols::Sender::kServer};
  return {protocols::Verdict::kNo, {}};
}

std::unique_ptr<protocols::ConnectionParser> MakeToy(bool, const protocols::ParserLimits&) {
  return std::make_unique<ToyParser>();
}

const protocols::ProtocolTraits kToy = {"toy", &ToyInfer, &MakeToy, HG_CAPTURE_FULL};
const protocols::ProtocolTraits* const kToyOnly[] = {&kToy};

TEST_F(CapturePolicyTest, AnyProtocolOnTheContractBecomesSpansAndSetsItsCapture) {
  tracker_.SetProtocols(kToyOnly);
  Open(5, 1, HG_ROLE_SERVER);
  Data(5, 1, HG_ROLE_SERVER, HG_INGRESS, "Q", 100);  // too short to tell: held
  Data(5, 1, HG_ROLE_SERVER, HG_INGRESS, " users\n", 110);
  Data(5, 1, HG_ROLE_SERVER, HG_EGRESS, "A 7\n", 200);
  Data(5, 1, HG_ROLE_SERVER, HG_INGRESS, "Q orders\n", 300);
  Close(5, 1, 400);
  ASSERT_EQ(spans_.size(), 1u);
  EXPECT_EQ(spans_[0].protocol, "toy");
  EXPECT_EQ(spans_[0].path, "users");
  EXPECT_EQ(spans_[0].status, 7);
  EXPECT_EQ(spans_[0].kind, SpanKind::kServer);
  ASSERT_EQ(unpaired_.size(), 1u);  // "orders" never got an answer
  ASSERT_EQ(policies_.size(), 1u);
  EXPECT_EQ(policies_[0].second, HG_CAPTURE_FULL);
  // HTTP is not in this tracker's registry: an HTTP connection is switched off.
  Open(6, 1, HG_ROLE_SERVER);
  Data(6, 1, HG_ROLE_SERVER, HG_INGRESS, kGet, 500);
  ASSERT_EQ(policies_.size(), 2u);
  EXPECT_EQ(policies_[1].second, HG_CAPTURE_OFF);
}

TEST_F(TrackerTest, ARequestLineSplitOnAConnectionSeenMidStreamIsJoined) {
  // Role unknown (predates the agent): "GE" alone could be GET, so it is held and judged again
  // with the next chunk.
  Data(12, 1, HG_ROLE_UNKNOWN, HG_INGRESS, "some body tail", 50);
  Data(12, 1, HG_ROLE_UNKNOWN, HG_INGRESS, kGet.substr(0, 2), 100);
  Data(12, 1, HG_ROLE_UNKNOWN, HG_INGRESS, kGet.substr(2), 110);
  Data(12, 1, HG_ROLE_UNKNOWN, HG_EGRESS, kOk, 200);
  ASSERT_EQ(spans_.size(), 1u);
  EXPECT_EQ(spans_[0].kind, SpanKind::kServer);
  EXPECT_EQ(spans_[0].path, "/hello");
  EXPECT_EQ(tracker_.stats().unclassified_chunks, 1u);  // the body tail
}

TEST_F(TrackerTest, HeldBytesThatTurnOutNotToStartAMessageAreDroppedNotJoinedForever) {
  // "G" at the end of a body, then a real request in the next call.
  Data(13, 1, HG_ROLE_UNKNOWN, HG_INGRESS, "G", 100);
  Data(13, 1, HG_ROLE_UNKNOWN, HG_INGRESS, kGet, 110);
  Data(13, 1, HG_ROLE_UNKNOWN, HG_EGRESS, kOk, 200);
  ASSERT_EQ(spans_.size(), 1u);
  EXPECT_EQ(spans_[0].path, "/hello");
  EXPECT_EQ(tracker_.stats().held_chunks_dropped, 1u);
}

}  // namespace
}  // namespace hugin
