// TLS connections in the tracker: ciphertext is never parsed, plaintext from the TLS
// library's uprobes is (with its own positions), and a TLS connection that gave no
// plaintext is counted, not silent.
#include <gtest/gtest.h>

#include "core/conn/conn_tracker.h"
#include "core/conn/tracker_testing.h"

namespace hugin {
namespace {

const std::string kGet = "GET /secret?q=1 HTTP/1.1\r\nHost: a\r\n\r\n";
const std::string kOk = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
// A ClientHello's first bytes (record header, handshake header, version, random).
const std::string kHello = std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11) +
                           std::string(53, '\x5a');

class TlsTrackerTest : public TrackerTest {
 protected:
  TlsTrackerTest() {
    tracker_.SetCapturePolicySink([this](const events::ConnId&, hg_capture_mode m, bool tls) {
      policies_.push_back({m, tls});
    });
  }
  std::vector<std::pair<hg_capture_mode, bool>> policies_;
};

TEST_F(TlsTrackerTest, PlaintextAfterTheHandshakeBecomesATlsSpan) {
  Open(5, 1, HG_ROLE_SERVER);
  Ciphertext(5, 1, HG_ROLE_SERVER, HG_INGRESS, kHello, 10);
  TlsData(5, 1, HG_ROLE_SERVER, HG_INGRESS, kGet, 100, /*arrival=*/90);
  TlsData(5, 1, HG_ROLE_SERVER, HG_EGRESS, kOk, 200);
  ASSERT_EQ(spans_.size(), 1u);
  EXPECT_TRUE(spans_[0].tls);
  EXPECT_EQ(spans_[0].path, "/secret");
  EXPECT_EQ(spans_[0].status, 200);
  EXPECT_EQ(spans_[0].start_ns, 90u);
  EXPECT_EQ(spans_[0].end_ns, 200u);
  // The ciphertext was neither a protocol error nor a reason to switch capture off.
  EXPECT_TRUE(policies_.empty());
  EXPECT_EQ(tracker_.stats().capture_off_conns, 0u);
  EXPECT_EQ(tracker_.stats().parse_errors, 0u);
  EXPECT_EQ(tracker_.stats().tls_conns, 1u);
  EXPECT_TRUE(gaps_.empty());  // plaintext positions start at 0, apart from the ciphertext's
  Close(5, 1, 300);
  EXPECT_EQ(tracker_.stats().tls_conns_without_plaintext, 0u);
}

TEST_F(TlsTrackerTest, PipelinedRequestsInOneTlsReadGiveOneSpanEach) {
  Open(5, 1, HG_ROLE_SERVER);
  Ciphertext(5, 1, HG_ROLE_SERVER, HG_INGRESS, kHello, 10);
  TlsData(5, 1, HG_ROLE_SERVER, HG_INGRESS, kGet + kGet + kGet, 100);
  TlsData(5, 1, HG_ROLE_SERVER, HG_EGRESS, kOk, 200);
  TlsData(5, 1, HG_ROLE_SERVER, HG_EGRESS, kOk + kOk, 300);
  EXPECT_EQ(spans_.size(), 3u);
}

TEST_F(TlsTrackerTest, UnknownPlaintextSwitchesOffThePlaintextNotTheRawBytes) {
  Open(5, 1, HG_ROLE_SERVER);
  Ciphertext(5, 1, HG_ROLE_SERVER, HG_INGRESS, kHello, 10);
  TlsData(5, 1, HG_ROLE_SERVER, HG_INGRESS, std::string("\x00\x01\x02\x03 binary", 11), 100);
  ASSERT_EQ(policies_.size(), 1u);
  EXPECT_EQ(policies_[0].first, HG_CAPTURE_OFF);
  EXPECT_TRUE(policies_[0].second);  // about the plaintext (hg_conn_policy.tls)
}

TEST_F(TlsTrackerTest, ATlsConnectionWithoutPlaintextIsCountedAtClose) {
  // A TLS stack Hugin cannot see into: the kernel flags the first ciphertext, nothing follows.
  Open(5, 1, HG_ROLE_SERVER);
  Ciphertext(5, 1, HG_ROLE_SERVER, HG_INGRESS, kHello, 10);
  EXPECT_TRUE(spans_.empty());
  EXPECT_EQ(tracker_.stats().tls_conns_without_plaintext, 0u);  // not until it ends
  Close(5, 1, 50);
  EXPECT_EQ(tracker_.stats().tls_conns, 1u);
  EXPECT_EQ(tracker_.stats().tls_conns_without_plaintext, 1u);
  EXPECT_EQ(tracker_.stats().parse_errors, 0u);
}

TEST_F(TlsTrackerTest, AConnectionJoinedMidStreamDropsItsRawParseWhenPlaintextArrives) {
  // The agent started while the connection was open: its first syscall bytes were the middle
  // of a TLS record (not recognised), then the uprobe's plaintext arrives.
  Data(5, 1, HG_ROLE_UNKNOWN, HG_INGRESS, std::string("\x8f\x12\xa0 ciphertext", 14), 10);
  TlsData(5, 1, HG_ROLE_UNKNOWN, HG_INGRESS, kGet, 100);
  TlsData(5, 1, HG_ROLE_UNKNOWN, HG_EGRESS, kOk, 200);
  ASSERT_EQ(spans_.size(), 1u);
  EXPECT_EQ(spans_[0].kind, SpanKind::kServer);  // the role from who sent the request
  EXPECT_TRUE(spans_[0].tls);
}

TEST_F(TlsTrackerTest, CloseUsesThePlaintextPositionsToSettleAPairingByTime) {
  // A response was lost, so the next one is paired with its request by time, tentatively,
  // until the close's byte count of the client's stream shows no request was lost either.
  // That count must be the plaintext's (74 bytes), not the ciphertext's (64).
  Open(5, 1, HG_ROLE_SERVER);
  Ciphertext(5, 1, HG_ROLE_SERVER, HG_INGRESS, kHello, 10);
  TlsData(5, 1, HG_ROLE_SERVER, HG_INGRESS, kGet, 100);
  tls_pos_[5][HG_EGRESS] += kOk.size();  // the first response's record was lost
  TlsData(5, 1, HG_ROLE_SERVER, HG_INGRESS, kGet, 150);
  TlsData(5, 1, HG_ROLE_SERVER, HG_EGRESS, kOk, 200);
  Close(5, 1, 300);
  ASSERT_EQ(spans_.size(), 1u);
  EXPECT_EQ(spans_[0].status, 200);
  EXPECT_EQ(spans_[0].processing_start_ns, 150u);
  EXPECT_EQ(unpaired_.size(), 1u);  // the first request: its answer was in the lost bytes
}

}  // namespace
}  // namespace hugin
