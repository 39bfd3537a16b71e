#include "core/export/trace_printer.h"

#include <gtest/gtest.h>

#include <climits>
#include <cstdint>
#include <cstdlib>
#include <ctime>

#include <nlohmann/json.hpp>

namespace hugin {
namespace {

constexpr int64_t kPostWallNs = 1681912144LL * 1000000000LL + 123456789;  // 2023-04-19 13:49:04.123 UTC

class TracePrinterTest : public ::testing::Test {
 protected:
  void SetUp() override { SetTimeZone("UTC0"); }
  void TearDown() override { SetTimeZone("UTC0"); }
  static void SetTimeZone(const char* tz) {
    setenv("TZ", tz, 1);
    tzset();
  }
};

// The Beyla post's first request: GET /hello from [::1] to port 8080.
Span PostServerSpan() {
  Span s;
  s.kind = SpanKind::kServer;
  s.start_ns = 1'000'000'000;
  s.processing_start_ns = s.start_ns + 15'220'000 - 689'900;
  s.end_ns = s.start_ns + 15'220'000;
  s.wall_start_ns = kPostWallNs;
  s.method = "GET";
  s.path = "/hello";
  s.status = 200;
  s.local = {"::1", 8080};
  s.peer = {"::1", 53422};
  s.pid = 4242;
  s.service_name = "testserver";
  return s;
}

TEST_F(TracePrinterTest, TextMatchesTheBeylaPostShape) {
  EXPECT_EQ(FormatSpanText(PostServerSpan()),
            "2023-04-19 13:49:04 (15.22ms[689.9\xC2\xB5s]) 200 GET /hello [::1]->[::1:8080] size:0B");
}

TEST_F(TracePrinterTest, TextUsesLocalTime) {
  SetTimeZone("CET-1");  // UTC+1, no DST rules needed
  EXPECT_EQ(FormatSpanText(PostServerSpan()).substr(0, 19), "2023-04-19 14:49:04");
}

TEST_F(TracePrinterTest, TextServerSpanGoesPeerToLocal) {
  Span s = PostServerSpan();
  s.method = "POST";
  s.path = "/echo";
  s.status = 404;
  s.request_body_bytes = 6;
  s.local = {"127.0.0.1", 8080};
  s.peer = {"127.0.0.1", 40000};
  s.end_ns = s.start_ns + 201'234'567;
  s.processing_start_ns = s.start_ns + 10'000;
  EXPECT_EQ(FormatSpanText(s),
            "2023-04-19 13:49:04 (201.2ms[201.2ms]) 404 POST /echo [127.0.0.1]->[127.0.0.1:8080] "
            "size:6B");
}

TEST_F(TracePrinterTest, TextClientSpanGoesLocalToPeer) {
  Span s = PostServerSpan();
  s.kind = SpanKind::kClient;
  s.local = {"10.0.0.5", 51000};
  s.peer = {"10.0.0.9", 443};
  std::string line = FormatSpanText(s);
  EXPECT_NE(line.find(" [10.0.0.5]->[10.0.0.9:443] "), std::string::npos) << line;
}

TEST_F(TracePrinterTest, TextEscapesHostileWireBytes) {
  Span s = PostServerSpan();
  s.path = "/a\nb\xFF";
  s.method = "G\rET";
  std::string line = FormatSpanText(s);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_EQ(line.find('\r'), std::string::npos);
  EXPECT_NE(line.find("G\\x0DET /a\\x0Ab\\xFF "), std::string::npos) << line;
}

TEST_F(TracePrinterTest, TextWithNoResponseOrZeroDurations) {
  Span s;
  s.wall_start_ns = kPostWallNs;
  s.method = "GET";
  s.path = "/";
  s.local = {"127.0.0.1", 80};
  s.peer = {"127.0.0.1", 1};
  EXPECT_EQ(FormatSpanText(s), "2023-04-19 13:49:04 (0s[0s]) 0 GET / [127.0.0.1]->[127.0.0.1:80] size:0B");
}

TEST(FormatSpanJson, EveryFieldWithTheHarnessKeyNames) {
  Span s = PostServerSpan();
  s.request_body_bytes = 6;
  s.response_body_bytes = 13;
  std::string line = FormatSpanJson(s);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j.size(), 17u);
  EXPECT_EQ(j["kind"], "server");
  EXPECT_EQ(j["protocol"], "http");
  EXPECT_EQ(j["start_ns"], s.start_ns);
  EXPECT_EQ(j["processing_start_ns"], s.processing_start_ns);
  EXPECT_EQ(j["end_ns"], s.end_ns);
  EXPECT_EQ(j["wall_start_ns"], kPostWallNs);
  EXPECT_EQ(j["duration_ns"], 15'220'000u);
  EXPECT_EQ(j["processing_ns"], 689'900u);
  EXPECT_EQ(j["method"], "GET");
  EXPECT_EQ(j["path"], "/hello");
  EXPECT_EQ(j["status"], 200);
  EXPECT_EQ(j["request_body_bytes"], 6u);
  EXPECT_EQ(j["response_body_bytes"], 13u);
  EXPECT_EQ(j["local"]["ip"], "::1");
  EXPECT_EQ(j["local"]["port"], 8080);
  EXPECT_EQ(j["peer"]["ip"], "::1");
  EXPECT_EQ(j["peer"]["port"], 53422);
  EXPECT_EQ(j["pid"], 4242u);
  EXPECT_EQ(j["service_name"], "testserver");
}

TEST(FormatSpanJson, AppendAddsToWhatIsThere) {
  std::string out = "before\n";
  AppendSpanJson(&out, PostServerSpan());
  AppendSpanJson(&out, PostServerSpan());
  EXPECT_EQ(out, "before\n" + FormatSpanJson(PostServerSpan()) + FormatSpanJson(PostServerSpan()));
}

TEST_F(TracePrinterTest, LocalSecondTextFollowsTheSecond) {
  LocalSecondText clock;
  EXPECT_EQ(clock.Format(kPostWallNs), "2023-04-19 13:49:04");
  EXPECT_EQ(clock.Format(kPostWallNs + 800'000'000), "2023-04-19 13:49:04");
  EXPECT_EQ(clock.Format(kPostWallNs + 900'000'000), "2023-04-19 13:49:05");
  EXPECT_EQ(clock.Format(kPostWallNs - 200'000'000), "2023-04-19 13:49:03");  // back in time too
  EXPECT_EQ(clock.Format(-5), "1970-01-01 00:00:00");
  std::string text;
  AppendSpanText(&text, PostServerSpan(), &clock);
  EXPECT_EQ(text, FormatSpanText(PostServerSpan()));
}

// AppendSpanJson writes into room reserved for the worst case: the longest numbers and strings
// made only of bytes escaped as \u00XX (six bytes each) must fit and come back intact.
TEST(FormatSpanJson, WorstCaseLengthsFit) {
  Span s = PostServerSpan();
  s.start_ns = s.processing_start_ns = UINT64_MAX;
  s.end_ns = 0;
  s.wall_start_ns = INT64_MIN;
  s.status = INT_MIN;
  s.request_body_bytes = s.response_body_bytes = UINT64_MAX;
  s.local.port = s.peer.port = 65535;
  s.pid = UINT32_MAX;
  const std::string controls(300, '\x01');
  s.protocol = s.method = s.path = s.local.ip = s.peer.ip = s.service_name = controls;
  std::string out(1000, 'x');
  AppendSpanJson(&out, s);
  ASSERT_EQ(out.substr(0, 1000), std::string(1000, 'x'));
  auto j = nlohmann::json::parse(out.substr(1000));
  EXPECT_EQ(j["start_ns"], UINT64_MAX);
  EXPECT_EQ(j["wall_start_ns"], INT64_MIN);
  EXPECT_EQ(j["status"], INT_MIN);
  EXPECT_EQ(j["pid"], UINT32_MAX);
  EXPECT_EQ(j["peer"]["port"], 65535);
  for (const char* key : {"protocol", "method", "path", "service_name"}) EXPECT_EQ(j[key], controls);
  EXPECT_EQ(j["local"]["ip"], controls);
  EXPECT_GT(out.size(), 1000 + 6 * 6 * controls.size());
}

TEST(FormatSpanJson, KeyOrderIsStable) {
  std::string line = FormatSpanJson(PostServerSpan());
  EXPECT_EQ(line.rfind("{\"kind\":\"server\",\"protocol\":\"http\",\"start_ns\":", 0), 0u) << line;
}

TEST(FormatSpanJson, ClientKindAndInvalidUtf8DoNotThrow) {
  Span s = PostServerSpan();
  s.kind = SpanKind::kClient;
  s.path = "/x\xFF\n";
  std::string line;
  ASSERT_NO_THROW(line = FormatSpanJson(s));
  EXPECT_EQ(line.find('\n'), std::string::npos);
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["kind"], "client");
  EXPECT_EQ(j["path"], "/x\xEF\xBF\xBD\n");
}

TEST(FormatSpanJson, EveryByteValueRoundTripsThroughAJsonParser) {
  Span s = PostServerSpan();
  std::string every;
  for (int b = 0; b < 256; b++) every.push_back(static_cast<char>(b));
  s.path = "/" + every + "\"quoted\" \\ back";
  s.method = "G\tET";
  s.service_name = "svc\x01";
  s.local.ip = "::1";
  const std::string line = FormatSpanJson(s);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  auto j = nlohmann::json::parse(line);  // throws on invalid JSON or invalid UTF-8
  EXPECT_EQ(j["method"], "G\tET");
  EXPECT_EQ(j["service_name"], "svc\x01");
  const std::string path = j["path"];
  EXPECT_EQ(path.substr(0, 129), "/" + every.substr(0, 128));  // ASCII verbatim, control chars too
  EXPECT_NE(path.find("\xEF\xBF\xBD"), std::string::npos);      // bytes >= 0x80 alone: U+FFFD
  EXPECT_TRUE(path.ends_with("\"quoted\" \\ back")) << path;
  EXPECT_EQ(j["local"]["ip"], "::1");
  EXPECT_EQ(j["duration_ns"], s.duration_ns());
  EXPECT_EQ(j.size(), 17u);
}

}  // namespace
}  // namespace hugin

namespace hugin {
namespace {

TEST_F(TracePrinterTest, GrpcTextLineShowsTheGrpcStatusAndPath) {
  Span s = PostServerSpan();
  s.protocol = "grpc";
  s.method = "POST";
  s.path = "/hugin.fixture.Echo/Unary";
  s.grpc_status = 5;
  s.request_body_bytes = 12;
  EXPECT_EQ(FormatSpanText(s),
            "2023-04-19 13:49:04 (15.22ms[689.9\xC2\xB5s]) 5 grpc /hugin.fixture.Echo/Unary "
            "[::1]->[::1:8080] size:12B");
}

TEST(FormatSpanJson, Http2SpansCarryStreamIdAndGrpcStatusHttp1SpansDoNot) {
  Span s = PostServerSpan();
  s.protocol = "grpc";
  s.stream_id = 7;
  s.grpc_status = 0;
  auto j = nlohmann::json::parse(FormatSpanJson(s));
  EXPECT_EQ(j["stream_id"], 7);
  EXPECT_EQ(j["grpc_status"], 0);
  s.protocol = "http2";
  s.grpc_status = -1;
  j = nlohmann::json::parse(FormatSpanJson(s));
  EXPECT_EQ(j["grpc_status"], -1);
  s.protocol = "http";
  j = nlohmann::json::parse(FormatSpanJson(s));
  EXPECT_FALSE(j.contains("stream_id"));
  EXPECT_FALSE(j.contains("grpc_status"));
}

TEST(FormatSpanJson, TlsSpansSayTlsTruePlaintextSpansHaveNoKey) {
  Span s = PostServerSpan();
  auto j = nlohmann::json::parse(FormatSpanJson(s));
  EXPECT_FALSE(j.contains("tls"));
  s.tls = true;
  j = nlohmann::json::parse(FormatSpanJson(s));
  EXPECT_EQ(j["tls"], true);
  EXPECT_EQ(j["path"], s.path);  // the rest of the line is unchanged
}

}  // namespace
}  // namespace hugin
