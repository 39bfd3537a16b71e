#include "core/protocols/http2/detect.h"

#include <gtest/gtest.h>

#include "core/protocols/http2/frame.h"
#include "core/protocols/http2/h2_testing.h"

namespace hugin::http2 {
namespace {

using namespace testing;

TEST(Detect, ClientPrefaceIsCertain) {
  std::string b = ClientStart();
  Detection d = DetectDirection(b, b.size(), true);
  EXPECT_EQ(d.verdict, Verdict::kYes);
  EXPECT_EQ(d.sender, Sender::kClient);
  EXPECT_EQ(d.confidence, Confidence::kCertain);
  EXPECT_EQ(DetectDirection("PRI * HTTP/2", 12, true).verdict, Verdict::kNeedMore);
  EXPECT_EQ(DetectDirection("", 0, true).verdict, Verdict::kNeedMore);
  EXPECT_EQ(DetectDirection("GET / HTTP/1.1\r\n", 16, true).verdict, Verdict::kNo);
}

TEST(Detect, ServerSettingsAtStart) {
  std::string s = ServerStart();
  Detection d = DetectDirection(s, s.size(), true);
  EXPECT_EQ(d.verdict, Verdict::kYes);
  EXPECT_EQ(d.sender, Sender::kServer);
  EXPECT_EQ(d.confidence, Confidence::kLikely);
  std::string ping = Ping();
  EXPECT_EQ(DetectDirection(ping, ping.size(), true).verdict, Verdict::kNo);
  // With the client's preface on the other side: certain.
  std::string c = ClientStart();
  Detection both = DetectConnection(s, s.size(), true, c, c.size(), true);
  EXPECT_EQ(both.sender, Sender::kServer);
  EXPECT_EQ(both.confidence, Confidence::kCertain);
}

TEST(Detect, MidStreamFramesAndRoleFromHeaders) {
  Encoder ce, se;
  std::string req = Cat({ce.Headers(7, GetRequest("/x"), true), WindowUpdate(0, 10)});
  Detection d = DetectDirection(req, req.size(), false);
  EXPECT_EQ(d.verdict, Verdict::kYes);
  EXPECT_EQ(d.sender, Sender::kClient);
  EXPECT_EQ(d.confidence, Confidence::kLikely);
  std::string resp = se.Headers(7, Response(200), true);
  EXPECT_EQ(DetectDirection(resp, resp.size(), false).sender, Sender::kServer);
  // Frames that do not end at the call's end: no.
  EXPECT_EQ(DetectDirection(req, req.size() + 1, false).verdict, Verdict::kNo);
  // DATA only: HTTP/2, sender unknown; the other side tells.
  std::string data = Data(7, "abc", false);
  Detection dd = DetectConnection(data, data.size(), false, resp, resp.size(), false);
  EXPECT_EQ(dd.verdict, Verdict::kYes);
  EXPECT_EQ(dd.sender, Sender::kClient);
}

}  // namespace
}  // namespace hugin::http2
