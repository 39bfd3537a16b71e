#include "harness/collect/wire_decode.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "harness/testdata.h"
#include "harness/util/process.h"

namespace hugin::harness {
namespace {

// harness/testdata/make_wire_pcap.sh: curl, h2load and a split head against the Go fixture on
// port 18090, captured with dumpcap -s 512; wire_go.tsv is what TsharkCommand() printed for it.
constexpr int kPort = 18090;

int64_t T(const char* epoch) {
  int64_t ns = 0;
  EXPECT_TRUE(ParseEpochNanos(epoch, ns)) << epoch;
  return ns;
}

struct Expected {
  int port;
  const char* method;
  const char* path;
  int status;
  int64_t first_frame, last_frame;
  const char* start;
  const char* end;
  bool complete;
};

}  // namespace

TEST(WireDecode, EpochNanos) {
  int64_t ns = 0;
  ASSERT_TRUE(ParseEpochNanos("1796051485.634940823", ns));
  EXPECT_EQ(ns, 1796051485634940823);
  ASSERT_TRUE(ParseEpochNanos("12.5", ns));  // microsecond pcaps print fewer digits
  EXPECT_EQ(ns, 12'500'000'000);
  EXPECT_FALSE(ParseEpochNanos("12.", ns));
  EXPECT_FALSE(ParseEpochNanos("x.1", ns));
  EXPECT_FALSE(ParseEpochNanos("1.1234567890", ns));
}

TEST(WireDecode, RecordedGoFixtureCapture) {
  const WireDecode d = ParseTsharkFields(Testdata("wire_go.tsv"), kPort);
  EXPECT_EQ(d.bad_lines, 0u) << d.first_error;
  EXPECT_EQ(d.frames, 105u);
  EXPECT_EQ(d.responses_without_request, 0u);
  // Frame numbers and times read off the capture by hand (tshark -r wire_go.pcapng).
  const std::vector<Expected> want{
      {57716, "GET", "/hello", 200, 4, 6, "1796051485.634940823", "1796051485.635263298", true},
      // 2119-byte response in one segment, truncated to 512 bytes in the capture
      {57728, "POST", "/post", 200, 14, 16, "1796051485.650993647", "1796051485.651198200", true},
      // chunked body in four later segments; 9000-byte response in three segments
      {57730, "PUT", "/upload", 200, 24, 38, "1796051485.675121859", "1796051485.756392247", true},
      // 100 Continue (frame 48) is not the response's end, nor its start
      {57740, "POST", "/continue", 200, 46, 51, "1796051485.765865748", "1796051485.766102112",
       true},
      // head in five segments (58..66): starts at the first, not where tshark dissects it
      {57750, "GET", "/split", 200, 58, 68, "1796051485.767658972", "1796051485.819406667", true},
      {57778, "GET", "/keep", 200, 79, 81, "1796051485.829825061", "1796051485.829944626", true},
      {57762, "GET", "/keep", 200, 83, 85, "1796051485.829989670", "1796051485.830196147", true},
      {57778, "GET", "/keep", 200, 87, 90, "1796051485.830266499", "1796051485.830391905", true},
      {57762, "GET", "/keep", 200, 88, 89, "1796051485.830278622", "1796051485.830340719", true},
      {57778, "GET", "/keep", 200, 91, 94, "1796051485.830438041", "1796051485.830599544", true},
      {57762, "GET", "/keep", 200, 92, 93, "1796051485.830448240", "1796051485.830546415", true},
      // still waiting for its answer when the capture stopped
      {57794, "GET", "/slow", 0, 104, 0, "1796051485.841375850", nullptr, false},
  };
  ASSERT_EQ(d.exchanges.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    const WireExchange& x = d.exchanges[i];
    const Expected& w = want[i];
    SCOPED_TRACE("exchange " + std::to_string(i) + " " + w.path);
    EXPECT_EQ(x.client_port, w.port);
    EXPECT_EQ(x.method, w.method);
    EXPECT_EQ(x.path, w.path);
    EXPECT_EQ(x.status, w.status);
    EXPECT_EQ(x.request_first_frame, w.first_frame);
    EXPECT_EQ(x.response_last_frame, w.last_frame);
    EXPECT_EQ(x.request_start_ns, T(w.start));
    if (w.end) {
      EXPECT_EQ(x.response_end_ns, T(w.end));
    }
    EXPECT_EQ(x.complete, w.complete);
  }
}

TEST(WireDecode, ResponseShorterThanItsContentLengthIsIncomplete) {
  // A 2000-byte body of which only 300 bytes crossed before the connection ended.
  const std::string text =
      "1\t10.000000001\t0\t40000\t8080\t90\t1\tGET\t/a?x=1\t\t\t\n"
      "2\t10.000000002\t0\t8080\t40000\t300\t1\t\t\t200\t2000\t\n";
  const WireDecode d = ParseTsharkFields(text, 8080);
  ASSERT_EQ(d.exchanges.size(), 1u);
  EXPECT_EQ(d.exchanges[0].path, "/a");
  EXPECT_EQ(d.exchanges[0].status, 200);
  EXPECT_FALSE(d.exchanges[0].complete);
}

TEST(WireDecode, RetransmissionsAreNeitherTheEndNorANewMessage) {
  // Modelled on a python_fixed_rate capture: head and body sent apart, then the body sent again
  // 10 ms later (a tail loss probe: the client's ACK was late); the next request's head is
  // retransmitted too. Columns as TsharkFields().
  const std::string text =
      "1\t1.000000000\t0\t41096\t8080\t216\t1\tPOST\t/api/items?size=512\t\t100\t\n"
      "2\t1.000400000\t0\t8080\t41096\t113\t1\t\t\t200\t512\t\n"
      "3\t1.000434000\t0\t8080\t41096\t512\t114\t\t\t\t\t\n"
      "4\t1.010000000\t0\t8080\t41096\t512\t114\t\t\t\t\t\n"
      "5\t1.010005000\t0\t41096\t8080\t0\t217\t\t\t\t\t\n"
      "6\t1.030000000\t0\t41096\t8080\t216\t217\tPOST\t/api/items?size=512\t\t100\t\n"
      "7\t1.030100000\t0\t41096\t8080\t216\t217\tPOST\t/api/items?size=512\t\t100\t\n"
      "8\t1.030500000\t0\t8080\t41096\t625\t626\t\t\t200\t512\t\n";
  const WireDecode d = ParseTsharkFields(text, 8080);
  EXPECT_EQ(d.bad_lines, 0u) << d.first_error;
  ASSERT_EQ(d.exchanges.size(), 2u);
  EXPECT_EQ(d.exchanges[0].request_first_frame, 1);
  EXPECT_EQ(d.exchanges[0].response_last_frame, 3);
  EXPECT_EQ(d.exchanges[0].response_end_ns, 1'000'434'000);
  EXPECT_TRUE(d.exchanges[0].complete);  // 625 bytes spanned, not 1137
  EXPECT_EQ(d.exchanges[1].request_first_frame, 6);
  EXPECT_EQ(d.exchanges[1].response_last_frame, 8);
  EXPECT_TRUE(d.exchanges[1].complete);
}

TEST(WireDecode, AResponseToARequestBeforeTheCaptureIsNotPairedWithTheNext) {
  // An overload run's capture began between a request and its response (dumpcap's "Capturing
  // on" came before the interface was open): the first frame of the stream is a response.
  const std::string text =
      "1\t1.000000000\t0\t8080\t42074\t2167\t1\t\t\t200\t2048\t\n"
      "2\t1.000500000\t0\t42074\t8080\t91\t1\tGET\t/hello?size=2048\t\t\t\n"
      "3\t1.002500000\t0\t8080\t42074\t2167\t2168\t\t\t200\t2048\t\n";
  const WireDecode d = ParseTsharkFields(text, 8080);
  EXPECT_EQ(d.responses_without_request, 1u);
  ASSERT_EQ(d.exchanges.size(), 1u);
  EXPECT_EQ(d.exchanges[0].request_first_frame, 2);
  EXPECT_EQ(d.exchanges[0].response_last_frame, 3);
}

TEST(WireDecode, BadLinesAreCountedWithTheFirstError) {
  const WireDecode d = ParseTsharkFields("1\t10.0\t0\n2\tnot-a-time\t0\t1\t2\t0\t1\t\t\t\t\t\n", 8080);
  EXPECT_EQ(d.bad_lines, 2u);
  EXPECT_NE(d.first_error.find("line 1"), std::string::npos) << d.first_error;
  EXPECT_TRUE(d.exchanges.empty());
}

// The committed text is what this tshark prints for the committed pcap with TsharkCommand().
// Skipped where tshark is not installed (.ci/setup installs it).
TEST(WireDecode, TsharkStillPrintsTheCommittedText) {
  if (access("/usr/bin/tshark", X_OK) != 0) GTEST_SKIP() << "tshark not installed";
  std::string out;
  const int code = RunCommand(TsharkCommand("harness/testdata/wire_go.pcapng", kPort), out,
                              std::chrono::seconds(60));
  ASSERT_EQ(code, 0);
  EXPECT_EQ(out, Testdata("wire_go.tsv"));
}

}  // namespace hugin::harness
