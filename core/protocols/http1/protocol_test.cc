#include "core/protocols/http1/protocol.h"

#include <gtest/gtest.h>

#include <vector>

namespace hugin::http1 {
namespace {

using protocols::Sender;
using protocols::Verdict;

TEST(Http1Protocol, InfersWhoSentTheFirstBytes) {
  auto req = Infer("GET /x HTTP/1.1\r\n", 100, true);
  EXPECT_EQ(req.verdict, Verdict::kYes);
  EXPECT_EQ(req.sender, Sender::kClient);
  auto resp = Infer("HTTP/1.1 204 No Content\r\n", 100, true);
  EXPECT_EQ(resp.verdict, Verdict::kYes);
  EXPECT_EQ(resp.sender, Sender::kServer);
  EXPECT_EQ(Infer("GE", 100, true).verdict, Verdict::kMaybe);
  EXPECT_EQ(Infer("HTT", 100, true).verdict, Verdict::kMaybe);
  EXPECT_EQ(Infer(std::string_view("\x16\x03\x01\x00", 4), 100, true).verdict, Verdict::kNo);
  EXPECT_EQ(Infer("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 100, true).verdict, Verdict::kNo)
      << "the HTTP/2 preface is not an HTTP/1 request";
}

TEST(Http1Protocol, ParserTurnsAnExchangeIntoOneAnsweredRecordAndAnUnansweredOne) {
  auto p = kTraits.make_parser(true, {});
  const std::string req = "POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc";
  const std::string resp = "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok";
  p->OnData(Sender::kClient, {0, uint32_t(req.size()), req, 10, 5});
  p->OnData(Sender::kServer, {0, uint32_t(resp.size()), resp, 20});
  const std::string req2 = "GET /b HTTP/1.1\r\n\r\n";
  p->OnData(Sender::kClient, {req.size(), uint32_t(req2.size()), req2, 30});
  p->OnClose(40, req.size() + req2.size());
  std::vector<protocols::Exchange> out;
  p->TakeExchanges(out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_STREQ(out[0].protocol, "http");
  EXPECT_TRUE(out[0].answered);
  EXPECT_EQ(out[0].method, "POST");
  EXPECT_EQ(out[0].path, "/a");
  EXPECT_EQ(out[0].status, 201);
  EXPECT_EQ(out[0].request_body_bytes, 3u);
  EXPECT_EQ(out[0].response_body_bytes, 2u);
  EXPECT_EQ(out[0].req_start_ns, 10u);
  EXPECT_EQ(out[0].req_arrival_ns, 5u);
  EXPECT_EQ(out[0].resp_end_ns, 20u);
  EXPECT_FALSE(out[1].answered);
  EXPECT_EQ(out[1].path, "/b");
  EXPECT_EQ(kTraits.capture, HG_CAPTURE_HEAD);
}

}  // namespace
}  // namespace hugin::http1
