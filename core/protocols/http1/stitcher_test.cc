#include "core/protocols/http1/stitcher.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>

#include "core/protocols/http1/traffic_testing.h"

namespace hugin::http1 {
namespace {

using testing::BodyStyle;
using testing::BuildRequest;
using testing::BuildResponse;
using testing::ChunkedEncode;

constexpr size_t kAll = std::numeric_limits<size_t>::max();

// Feeds syscalls one direction at a time with automatic positions and timestamps.
class StitcherTest : public ::testing::Test {
 protected:
  struct Call {
    size_t capture = kAll;  // captured prefix length
    uint64_t lost_before = 0;  // bytes of lost events just before this call
    uint64_t arrival_ns = 0;
  };

  // Returns the ts of the call.
  uint64_t Req(const std::string& bytes, Call call) { return Send(true, bytes, call); }
  uint64_t Req(const std::string& bytes) { return Send(true, bytes, Call{}); }
  uint64_t Resp(const std::string& bytes, Call call) { return Send(false, bytes, call); }
  uint64_t Resp(const std::string& bytes) { return Send(false, bytes, Call{}); }

  uint64_t Send(bool request, const std::string& bytes, Call call) {
    uint64_t& pos = request ? req_pos_ : resp_pos_;
    pos += call.lost_before;
    clock_ += 1000;
    DataChunk c{pos, static_cast<uint32_t>(bytes.size()),
                std::string_view(bytes).substr(0, std::min(call.capture, bytes.size())), clock_,
                call.arrival_ns};
    pos += bytes.size();
    if (request) {
      s_.AddRequestData(c);
    } else {
      s_.AddResponseData(c);
    }
    return clock_;
  }

  // Sends `bytes` one syscall per piece, cut at the given offsets.
  void SendCut(bool request, const std::string& bytes, std::vector<size_t> cuts) {
    cuts.push_back(bytes.size());
    size_t prev = 0;
    for (size_t cut : cuts) {
      if (cut > bytes.size()) break;
      if (cut > prev) Send(request, bytes.substr(prev, cut - prev), Call{});
      prev = cut;
    }
  }

  std::vector<Record> Take() { return s_.TakeRecords(); }
  // A request whose arrival, with no gap before it, confirms a pairing made by time.
  void ConfirmingRequest() { Req(BuildRequest("GET", "/confirm", "", BodyStyle::kNone)); }

  Stitcher s_;
  uint64_t req_pos_ = 0, resp_pos_ = 0, clock_ = 0;
};

const std::string kGet = "GET /hello?name=x HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n\r\n";
const std::string kOk = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello";

TEST_F(StitcherTest, GetAndResponseWithTiming) {
  uint64_t t_req = Req(kGet, {.arrival_ns = 777});
  EXPECT_TRUE(Take().empty());
  uint64_t t_resp = Resp(kOk);
  std::vector<Record> r = Take();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].method, "GET");
  EXPECT_EQ(r[0].path, "/hello");
  EXPECT_EQ(r[0].status, 200);
  EXPECT_EQ(r[0].req_body_bytes, 0u);
  EXPECT_EQ(r[0].resp_body_bytes, 5u);
  EXPECT_EQ(r[0].req_start_ns, t_req);
  EXPECT_EQ(r[0].req_arrival_ns, 777u);
  EXPECT_EQ(r[0].req_end_ns, t_req);
  EXPECT_EQ(r[0].resp_start_ns, t_resp);
  EXPECT_EQ(r[0].resp_end_ns, t_resp);
  EXPECT_FALSE(r[0].estimated);
  EXPECT_TRUE(Take().empty());  // taken records are removed
  EXPECT_EQ(s_.stats().requests, 1u);
  EXPECT_EQ(s_.stats().responses, 1u);
  EXPECT_EQ(s_.stats().parse_errors, 0u);
}

TEST_F(StitcherTest, ArrivalDefaultsToStart) {
  uint64_t t = Req(kGet);
  Resp(kOk);
  auto r = Take();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].req_arrival_ns, t);
}

TEST(StitcherSplit, HeadsSplitAtEveryByte) {
  const std::string req = BuildRequest("POST", "/p?q", "abcdef", BodyStyle::kContentLength);
  const std::string resp = BuildResponse(201, "created", BodyStyle::kContentLength);
  for (size_t split = 1; split < req.size(); ++split) {
    Stitcher s;
    s.AddRequestData({0, static_cast<uint32_t>(split), std::string_view(req).substr(0, split), 10});
    s.AddRequestData({split, static_cast<uint32_t>(req.size() - split),
                      std::string_view(req).substr(split), 20});
    s.AddResponseData({0, static_cast<uint32_t>(resp.size()), resp, 30});
    auto r = s.TakeRecords();
    ASSERT_EQ(r.size(), 1u) << split;
    EXPECT_EQ(r[0].path, "/p");
    EXPECT_EQ(r[0].req_body_bytes, 6u);
    EXPECT_EQ(r[0].req_start_ns, 10u);
    EXPECT_EQ(r[0].req_end_ns, 20u);
    EXPECT_EQ(s.stats().parse_errors, 0u);
  }
  for (size_t split = 1; split < resp.size(); ++split) {
    Stitcher s;
    s.AddRequestData({0, static_cast<uint32_t>(req.size()), req, 10});
    s.AddResponseData({0, static_cast<uint32_t>(split), std::string_view(resp).substr(0, split), 20});
    s.AddResponseData({split, static_cast<uint32_t>(resp.size() - split),
                       std::string_view(resp).substr(split), 30});
    auto r = s.TakeRecords();
    ASSERT_EQ(r.size(), 1u) << split;
    EXPECT_EQ(r[0].status, 201);
    EXPECT_EQ(r[0].resp_body_bytes, 7u);
    EXPECT_EQ(r[0].resp_start_ns, 20u);
    EXPECT_EQ(r[0].resp_end_ns, 30u);
  }
}

TEST_F(StitcherTest, OneByteSyscalls) {
  const std::string req = BuildRequest("PUT", "/one", "xyz", BodyStyle::kChunked);
  const std::string resp = BuildResponse(200, std::string(250, 'b'), BodyStyle::kChunked);
  std::vector<size_t> every_byte;
  for (size_t i = 1; i < std::max(req.size(), resp.size()); ++i) every_byte.push_back(i);
  SendCut(true, req, every_byte);
  SendCut(false, resp, every_byte);
  auto r = Take();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].method, "PUT");
  EXPECT_EQ(r[0].req_body_bytes, 3u);
  EXPECT_EQ(r[0].resp_body_bytes, 250u);
  EXPECT_EQ(r[0].req_end_ns - r[0].req_start_ns, (req.size() - 1) * 1000);
  EXPECT_EQ(r[0].resp_end_ns - r[0].resp_start_ns, (resp.size() - 1) * 1000);
  EXPECT_EQ(s_.stats().parse_errors, 0u);
}

TEST_F(StitcherTest, SeveralMessagesInOneChunkArePipelined) {
  uint64_t t_req = Req(BuildRequest("GET", "/a", "", BodyStyle::kNone) +
                       BuildRequest("POST", "/b", "12345") +
                       BuildRequest("GET", "/c", "", BodyStyle::kNone));
  EXPECT_TRUE(Take().empty());
  uint64_t t1 = Resp(BuildResponse(200, "A") + BuildResponse(404, "BB"));
  uint64_t t2 = Resp(BuildResponse(500, "CCC", BodyStyle::kChunked));
  auto r = Take();
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].path, "/a");
  EXPECT_EQ(r[0].status, 200);
  EXPECT_EQ(r[1].path, "/b");
  EXPECT_EQ(r[1].status, 404);
  EXPECT_EQ(r[1].req_body_bytes, 5u);
  EXPECT_EQ(r[1].resp_body_bytes, 2u);
  EXPECT_EQ(r[2].path, "/c");
  EXPECT_EQ(r[2].status, 500);
  EXPECT_EQ(r[2].resp_body_bytes, 3u);
  for (const Record& rec : r) EXPECT_EQ(rec.req_start_ns, t_req);
  EXPECT_EQ(r[1].resp_end_ns, t1);
  EXPECT_EQ(r[2].resp_start_ns, t2);
}

TEST_F(StitcherTest, ContentLengthBodySkippedWithoutItsBytes) {
  const std::string body(4096, 'x');
  std::string req = BuildRequest("POST", "/upload", body);
  // One syscall of 4 KiB+ with only 64 bytes captured: the head ends beyond the capture, so
  // send the head whole and the body as two barely captured calls.
  size_t head_len = req.size() - body.size();
  Req(req.substr(0, head_len));
  Req(req.substr(head_len, 3000), {.capture = 0});
  uint64_t t_end = Req(req.substr(head_len + 3000), {.capture = 10});
  Resp(BuildResponse(200, std::string(100000, 'y')), {.capture = 512});
  auto r = Take();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].req_body_bytes, 4096u);
  EXPECT_EQ(r[0].req_end_ns, t_end);
  EXPECT_EQ(r[0].resp_body_bytes, 100000u);
  EXPECT_EQ(s_.stats().gaps, 0u);
}

TEST_F(StitcherTest, ChunkedBodyWithExtensionsAndTrailers) {
  std::string resp =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5;ext=1\r\nhello\r\n"
      "1A\r\nabcdefghijklmnopqrstuvwxyz\r\n"
      "0\r\nX-Checksum: 1\r\nX-Other: 2\r\n\r\n";
  for (size_t split = 1; split < resp.size(); ++split) {
    Stitcher s;
    s.AddRequestData({0, static_cast<uint32_t>(kGet.size()), kGet, 1});
    s.AddResponseData({0, static_cast<uint32_t>(split), std::string_view(resp).substr(0, split), 2});
    s.AddResponseData({split, static_cast<uint32_t>(resp.size() - split),
                       std::string_view(resp).substr(split), 3});
    auto r = s.TakeRecords();
    ASSERT_EQ(r.size(), 1u) << split;
    EXPECT_EQ(r[0].resp_body_bytes, 31u) << split;
    EXPECT_EQ(r[0].resp_end_ns, 3u);
    EXPECT_EQ(s.stats().parse_errors, 0u);
  }
}

TEST_F(StitcherTest, HeadResponseHasNoBody) {
  Req("HEAD /file HTTP/1.1\r\nHost: x\r\n\r\n");
  Resp("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n");
  Req(kGet);
  Resp(kOk);
  auto r = Take();
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].method, "HEAD");
  EXPECT_EQ(r[0].status, 200);
  EXPECT_EQ(r[0].resp_body_bytes, 0u);
  EXPECT_EQ(r[1].method, "GET");
  EXPECT_EQ(r[1].resp_body_bytes, 5u);
  EXPECT_EQ(s_.stats().parse_errors, 0u);
}

TEST_F(StitcherTest, ContinueThenFinalResponse) {
  std::string req = BuildRequest("POST", "/big", "0123456789", BodyStyle::kContentLength,
                                 "Expect: 100-continue\r\n");
  size_t head_len = req.size() - 10;
  uint64_t t_head = Req(req.substr(0, head_len));
  Resp("HTTP/1.1 100 Continue\r\n\r\n");
  uint64_t t_body = Req(req.substr(head_len));
  uint64_t t_final = Resp(BuildResponse(200, "ok"));
  auto r = Take();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].status, 200);
  EXPECT_EQ(r[0].req_start_ns, t_head);
  EXPECT_EQ(r[0].req_end_ns, t_body);
  EXPECT_EQ(r[0].resp_start_ns, t_final);
  EXPECT_EQ(s_.stats().responses, 1u);  // 1xx are not counted as responses
}

TEST_F(StitcherTest, NoBodyFor204And304) {
  Req(kGet);
  Resp("HTTP/1.1 204 No Content\r\n\r\n");
  Req(kGet);
  Resp("HTTP/1.1 304 Not Modified\r\nContent-Length: 999\r\nETag: \"x\"\r\n\r\n");
  Req(kGet);
  Resp(kOk);
  auto r = Take();
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].status, 204);
  EXPECT_EQ(r[1].status, 304);
  EXPECT_EQ(r[1].resp_body_bytes, 0u);
  EXPECT_EQ(r[2].status, 200);
}

TEST_F(StitcherTest, CloseDelimitedResponse) {
  Req(kGet);
  Resp("HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n<html>");
  uint64_t t_last = Resp("</html>", {.capture = 2});
  EXPECT_TRUE(Take().empty());  // the end is only known at close
  s_.Close();
  auto r = Take();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].resp_body_bytes, 13u);
  EXPECT_EQ(r[0].resp_end_ns, t_last);
}

TEST_F(StitcherTest, CloseGivesPendingRequestsStatusZero) {
  Req(kGet);
  Req(BuildRequest("DELETE", "/x", "", BodyStyle::kNone));
  Req("POST /partial HTTP/1.1\r\nContent-Length: 100\r\n\r\nabc");  // body never finished
  s_.Close();
  auto r = Take();
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].status, 0);
  EXPECT_EQ(r[0].path, "/hello");
  EXPECT_EQ(r[1].status, 0);
  EXPECT_EQ(r[1].method, "DELETE");
  Req(kGet);  // ignored after close
  Resp(kOk);
  EXPECT_TRUE(Take().empty());
  EXPECT_EQ(s_.pending_requests(), 0u);
}

TEST_F(StitcherTest, KeepAliveManyExchangesStayBounded) {
  for (int i = 0; i < 5000; ++i) {
    Req(BuildRequest("GET", "/k" + std::to_string(i % 7), "", BodyStyle::kNone));
    Resp(i % 2 ? kOk : BuildResponse(200, "chunky", BodyStyle::kChunked));
    auto r = Take();
    ASSERT_EQ(r.size(), 1u) << i;
    ASSERT_EQ(r[0].path, "/k" + std::to_string(i % 7));
    ASSERT_EQ(s_.pending_requests(), 0u);
  }
  EXPECT_EQ(s_.stats().requests, 5000u);
  EXPECT_EQ(s_.stats().parse_errors + s_.stats().gaps + s_.stats().resyncs, 0u);
}

TEST(StitcherLimits, PendingRequestsAreCapped) {
  Options o;
  o.max_pending_requests = 100;
  Stitcher s(o);
  uint64_t pos = 0;
  for (int i = 0; i < 1000; ++i) {
    std::string req = BuildRequest("GET", "/n", "", BodyStyle::kNone);
    s.AddRequestData({pos, static_cast<uint32_t>(req.size()), req, uint64_t(i + 1)});
    pos += req.size();
    ASSERT_LE(s.pending_requests(), 101u);
  }
  auto r = s.TakeRecords();
  EXPECT_EQ(r.size(), 900u);  // the oldest were closed with status 0
  for (const Record& rec : r) EXPECT_EQ(rec.status, 0);
}

TEST_F(StitcherTest, OversizeHeadIsAParseErrorThenResync) {
  std::string huge = "GET /big HTTP/1.1\r\nX-Huge: ";
  Req(huge);
  std::string filler(4000, 'a');
  for (int i = 0; i < 5; ++i) Req(filler);  // 20 KiB of head without its end
  EXPECT_EQ(s_.stats().parse_errors, 1u);
  Req(filler + "\r\n\r\n");  // the rest of the bad head: skipped
  Resp(BuildResponse(431, ""));  // the server refused the big one
  Req(kGet);
  Resp(kOk);
  auto r = Take();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].path, "/hello");
  EXPECT_EQ(r[0].status, 200);
  EXPECT_EQ(s_.stats().resyncs, 1u);
  EXPECT_EQ(s_.stats().unmatched_responses, 1u);
}

TEST_F(StitcherTest, LostRequestMakesItsResponseUnmatched) {
  Req(kGet);
  Resp(kOk);
  std::string lost = BuildRequest("GET", "/lost", "", BodyStyle::kNone);
  Resp(BuildResponse(500, "for the lost one"));
  Req(BuildRequest("GET", "/after", "", BodyStyle::kNone), {.lost_before = lost.size()});
  Resp(BuildResponse(202, "ok"));
  auto r = Take();
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].path, "/hello");
  EXPECT_EQ(r[1].path, "/after");
  EXPECT_EQ(r[1].status, 202);
  EXPECT_EQ(s_.stats().unmatched_responses, 1u);
  EXPECT_EQ(s_.stats().gaps, 1u);
}

TEST_F(StitcherTest, LostResponseClosesItsRequestWithStatusZero) {
  Req(BuildRequest("GET", "/first", "", BodyStyle::kNone));
  std::string lost = BuildResponse(200, "never seen");
  Req(BuildRequest("GET", "/second", "", BodyStyle::kNone));
  Resp(BuildResponse(404, "nope"), {.lost_before = lost.size()});
  auto r = Take();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].path, "/first");
  EXPECT_EQ(r[0].status, 0);
  // Paired by time: held until the next request shows no request was lost meanwhile.
  ConfirmingRequest();
  r = Take();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].path, "/second");
  EXPECT_EQ(r[0].status, 404);
}

TEST_F(StitcherTest, PairingByTimeIsRevokedWhenRequestsTurnOutLost) {
  Req(BuildRequest("GET", "/first", "", BodyStyle::kNone));
  std::string lost_resp = BuildResponse(200, "lost response of /first");
  std::string lost_req = BuildRequest("GET", "/lost", "", BodyStyle::kNone);
  // Is this /first's response or /lost's? Not knowable: /lost only shows up as a gap later.
  Resp(BuildResponse(404, "which?"), {.lost_before = lost_resp.size()});
  Req(BuildRequest("GET", "/third", "", BodyStyle::kNone), {.lost_before = lost_req.size()});
  Resp(BuildResponse(201, ""));
  ConfirmingRequest();
  auto r = Take();
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].path, "/first");
  EXPECT_EQ(r[0].status, 0);  // not 404
  EXPECT_EQ(r[1].path, "/third");
  EXPECT_EQ(r[1].status, 201);
  EXPECT_EQ(s_.stats().unmatched_responses, 1u);
}

TEST_F(StitcherTest, PairingByTimeIsRevokedAtClose) {
  Req(BuildRequest("GET", "/only", "", BodyStyle::kNone));
  Resp(BuildResponse(200, "x"), {.lost_before = 100});
  EXPECT_TRUE(Take().empty());
  s_.Close();
  auto r = Take();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].status, 0);
}

TEST_F(StitcherTest, PairingByTimeStandsAtCloseWhenEveryRequestByteWasSeen) {
  Req(BuildRequest("GET", "/only", "", BodyStyle::kNone));
  Resp(BuildResponse(200, "x"), {.lost_before = 100});
  EXPECT_TRUE(Take().empty());
  s_.Close(req_pos_);  // the kernel counted exactly the request bytes we saw
  auto r = Take();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].path, "/only");
  EXPECT_EQ(r[0].status, 200);
  EXPECT_EQ(s_.stats().unmatched_responses, 0u);
}

TEST_F(StitcherTest, PairingByTimeIsRevokedAtCloseWhenRequestBytesWereLost) {
  Req(BuildRequest("GET", "/only", "", BodyStyle::kNone));
  Resp(BuildResponse(200, "x"), {.lost_before = 100});
  s_.Close(req_pos_ + 40);  // a request we never saw was sent before the close
  auto r = Take();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].status, 0);
  EXPECT_EQ(s_.stats().unmatched_responses, 1u);
}

TEST_F(StitcherTest, LostEventsInsideABodyLoseNothing) {
  std::string resp = BuildResponse(200, std::string(3000, 'z'));
  Req(kGet);
  Resp(resp.substr(0, 1000));
  // [1000, 2000) lost
  resp_pos_ += 1000;
  uint64_t t_end = Resp(resp.substr(2000), {.capture = 0});
  auto r = Take();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].resp_body_bytes, 3000u);
  EXPECT_EQ(r[0].resp_end_ns, t_end);
  EXPECT_EQ(s_.stats().gaps, 1u);
}

TEST_F(StitcherTest, LostLastBodyEventDropsOnlyThatMessage) {
  std::string resp = BuildResponse(200, std::string(3000, 'z'));
  Req(kGet);
  Resp(resp.substr(0, 1000));
  resp_pos_ += resp.size() - 1000;  // the rest, with the body's last byte, is lost
  Req(BuildRequest("GET", "/next", "", BodyStyle::kNone));
  Resp(kOk);
  auto r = Take();
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].status, 0);  // its end time is unknown: no response claimed
  EXPECT_EQ(r[1].path, "/next");
  EXPECT_EQ(r[1].status, 200);
  EXPECT_EQ(s_.stats().resyncs, 0u);  // stayed in sync
}

std::string ChunkedResponseOf(size_t body) {
  return "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
         ChunkedEncode(std::string(body, 'c'), 1000);
}

TEST_F(StitcherTest, TruncatedChunkedFramingIsEstimated) {
  Req(kGet);
  uint64_t t = Resp(ChunkedResponseOf(3000), {.capture = 512});
  EXPECT_TRUE(Take().empty());  // the end is not known yet
  Req(BuildRequest("GET", "/next", "", BodyStyle::kNone));
  Resp(kOk);
  auto r = Take();
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].status, 200);
  EXPECT_TRUE(r[0].estimated);
  EXPECT_EQ(r[0].resp_end_ns, t);
  EXPECT_GE(r[0].resp_body_bytes, 3000u);
  EXPECT_EQ(r[1].status, 200);
  EXPECT_FALSE(r[1].estimated);
  EXPECT_EQ(s_.stats().gaps, 1u);
}

TEST_F(StitcherTest, TruncatedChunkedFramingEndsAtClose) {
  Req(kGet);
  uint64_t t = Resp(ChunkedResponseOf(2000), {.capture = 100});
  s_.Close();
  auto r = Take();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].status, 200);
  EXPECT_TRUE(r[0].estimated);
  EXPECT_EQ(r[0].resp_end_ns, t);
}

TEST_F(StitcherTest, TruncatedChunkedFramingOverSeveralSyscalls) {
  // The response continues in syscalls that do not start messages: still one response, but
  // whether others hid in those bytes is unknown, so the next pairing waits for confirmation.
  std::string resp = ChunkedResponseOf(6000);
  Req(kGet);
  Resp(resp.substr(0, 3000), {.capture = 256});
  uint64_t t_last = Resp(resp.substr(3000), {.capture = 256});
  Req(BuildRequest("GET", "/next", "", BodyStyle::kNone));
  Resp(kOk);
  ConfirmingRequest();
  auto r = Take();
  ASSERT_EQ(r.size(), 2u);
  EXPECT_TRUE(r[0].estimated);
  EXPECT_EQ(r[0].resp_end_ns, t_last);
  EXPECT_EQ(r[1].path, "/next");
  EXPECT_EQ(r[1].status, 200);
}

TEST_F(StitcherTest, CloseDelimitedResponseWithEmptyBody) {
  Req(kGet);
  uint64_t t = Resp("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
  s_.Close();
  auto r = Take();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].resp_body_bytes, 0u);
  EXPECT_EQ(r[0].resp_end_ns, t);
}

TEST(StitcherOptions, TruncatedChunkedFramingDroppedWhenNotEstimating) {
  Options o;
  o.estimate_truncated_ends = false;
  Stitcher s(o);
  std::string resp = ChunkedResponseOf(3000);
  std::string next = BuildRequest("GET", "/next", "", BodyStyle::kNone);
  s.AddRequestData({0, static_cast<uint32_t>(kGet.size()), kGet, 1});
  s.AddResponseData({0, static_cast<uint32_t>(resp.size()), std::string_view(resp).substr(0, 512), 2});
  s.AddRequestData({kGet.size(), static_cast<uint32_t>(next.size()), next, 3});
  s.AddResponseData({resp.size(), static_cast<uint32_t>(kOk.size()), kOk, 4});
  s.AddRequestData({kGet.size() + next.size(), static_cast<uint32_t>(kGet.size()), kGet, 5});
  auto r = s.TakeRecords();
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].status, 0);
  EXPECT_EQ(r[1].path, "/next");
  EXPECT_EQ(r[1].status, 200);
  EXPECT_EQ(s.stats().gaps, 1u);
  EXPECT_EQ(s.stats().resyncs, 1u);
}

TEST_F(StitcherTest, TruncatedHeadIsEstimatedFromItsFirstLine) {
  std::string long_req = BuildRequest("GET", "/long?x", "", BodyStyle::kNone,
                                      "Cookie: " + std::string(2000, 'k') + "\r\n");
  std::string long_resp = BuildResponse(404, "body", BodyStyle::kContentLength,
                                        "Set-Cookie: " + std::string(900, 's') + "\r\n");
  uint64_t t_req = Req(long_req, {.capture = 512});
  uint64_t t_resp = Resp(long_resp, {.capture = 512});
  Req(BuildRequest("GET", "/short", "", BodyStyle::kNone));
  Resp(BuildResponse(201, ""));
  ConfirmingRequest();
  auto r = Take();
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].path, "/long");
  EXPECT_EQ(r[0].status, 404);
  EXPECT_TRUE(r[0].estimated);
  EXPECT_EQ(r[0].req_end_ns, t_req);
  EXPECT_EQ(r[0].resp_end_ns, t_resp);
  EXPECT_EQ(r[1].path, "/short");
  EXPECT_EQ(r[1].status, 201);
  EXPECT_FALSE(r[1].estimated);
  EXPECT_EQ(s_.stats().gaps, 2u);
}

TEST(StitcherOptions, TruncatedHeadLosesTheRequestWhenNotEstimating) {
  Options o;
  o.estimate_truncated_ends = false;
  Stitcher s(o);
  std::string long_req = BuildRequest("GET", "/long", "", BodyStyle::kNone,
                                      "Cookie: " + std::string(2000, 'k') + "\r\n");
  std::string next = BuildRequest("GET", "/short", "", BodyStyle::kNone);
  std::string created = BuildResponse(201, "");
  s.AddRequestData({0, static_cast<uint32_t>(long_req.size()),
                    std::string_view(long_req).substr(0, 512), 1});
  s.AddResponseData({0, static_cast<uint32_t>(kOk.size()), kOk, 2});
  s.AddRequestData({long_req.size(), static_cast<uint32_t>(next.size()), next, 3});
  s.AddResponseData({kOk.size(), static_cast<uint32_t>(created.size()), created, 4});
  auto r = s.TakeRecords();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].path, "/short");
  EXPECT_EQ(r[0].status, 201);
  EXPECT_EQ(s.stats().gaps, 1u);
  EXPECT_EQ(s.stats().unmatched_responses, 1u);
}

TEST_F(StitcherTest, TargetLongerThanTheCaptureIsLost) {
  std::string long_req = BuildRequest("GET", "/" + std::string(1000, 'u'), "", BodyStyle::kNone);
  Req(long_req, {.capture = 512});
  Resp(kOk);
  Req(kGet);
  Resp(kOk);
  auto r = Take();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].path, "/hello");
  EXPECT_EQ(s_.stats().unmatched_responses, 1u);
}

TEST_F(StitcherTest, BinaryJunkIsAParseErrorThenResync) {
  Req(kGet);
  Resp(kOk);
  std::string junk;
  for (int i = 0; i < 300; ++i) junk.push_back(static_cast<char>((i * 37 + 11) & 0xff));
  Req(junk);
  Resp(junk);
  EXPECT_EQ(s_.stats().parse_errors, 2u);
  Req(kGet);
  Resp(kOk);
  ConfirmingRequest();
  auto r = Take();
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[1].status, 200);
  EXPECT_EQ(s_.stats().resyncs, 2u);
}

TEST_F(StitcherTest, BadContentLengthAndBadChunkSize) {
  Req("POST /x HTTP/1.1\r\nContent-Length: 12abc\r\n\r\n12abc");
  EXPECT_EQ(s_.stats().parse_errors, 1u);
  Req(kGet);
  Resp("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nbad\r\n0\r\n\r\n");
  EXPECT_EQ(s_.stats().parse_errors, 2u);
  Req(kGet);
  Resp(kOk);
  ConfirmingRequest();
  auto r = Take();
  // /x lost; the first /hello's response was seen only in part; the last pair is whole.
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].status, 0);
  EXPECT_EQ(r[1].status, 200);
}

TEST_F(StitcherTest, DuplicateAndOverlappingEventsAreIgnored) {
  std::string req = BuildRequest("POST", "/dup", "0123456789");
  DataChunk first{0, 20, std::string_view(req).substr(0, 20), 1};
  s_.AddRequestData(first);
  s_.AddRequestData(first);  // retransmitted event
  // Overlaps [10, 20) and brings the rest.
  s_.AddRequestData({10, static_cast<uint32_t>(req.size() - 10), std::string_view(req).substr(10), 2});
  s_.AddResponseData({0, static_cast<uint32_t>(kOk.size()), kOk, 3});
  s_.AddResponseData({0, static_cast<uint32_t>(kOk.size()), kOk, 4});
  auto r = Take();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].req_body_bytes, 10u);
  EXPECT_EQ(r[0].req_end_ns, 2u);
  EXPECT_EQ(r[0].resp_end_ns, 3u);
  EXPECT_EQ(s_.stats().overlaps, 3u);
  EXPECT_EQ(s_.stats().parse_errors, 0u);
  EXPECT_EQ(s_.stats().unmatched_responses, 0u);
}

TEST_F(StitcherTest, UpgradeTurnsBothDirectionsIntoPassthrough) {
  Req("GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
  Resp("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x05hello");
  Req("\x81\x85garbage-frames");
  Resp("\x82\x7e\x01\x00more");
  auto r = Take();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].status, 101);
  EXPECT_EQ(s_.stats().parse_errors, 0u);
}

TEST_F(StitcherTest, ConnectTunnel) {
  Req("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n");
  Resp("HTTP/1.1 200 Connection Established\r\n\r\n");
  Req("\x16\x03\x01\x02\x00 tls hello");
  Resp("\x16\x03\x03 server hello");
  auto r = Take();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].method, "CONNECT");
  EXPECT_EQ(r[0].path, "example.com:443");
  EXPECT_EQ(s_.stats().parse_errors, 0u);
}

TEST_F(StitcherTest, AbsoluteFormTarget) {
  Req("GET http://proxy.example:3128/x/y?z=1 HTTP/1.1\r\nHost: proxy.example\r\n\r\n");
  Resp(kOk);
  auto r = Take();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].path, "/x/y");
}

TEST_F(StitcherTest, StrayLineEndsBetweenMessages) {
  Req(BuildRequest("POST", "/p", "ab") + "\r\n");
  Resp(kOk);
  Req("\r\n" + kGet);
  Resp(kOk);
  EXPECT_EQ(Take().size(), 2u);
  EXPECT_EQ(s_.stats().parse_errors, 0u);
}

TEST_F(StitcherTest, JoinedMidStream) {
  req_pos_ = 5000;  // the tracker attached to an open connection
  resp_pos_ = 7000;
  Req("tail of an earlier body");
  Resp("more of an earlier response");
  Req(kGet);
  Resp(kOk);
  ConfirmingRequest();
  auto r = Take();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].status, 200);
  EXPECT_EQ(s_.stats().parse_errors, 0u);
  EXPECT_EQ(s_.stats().gaps, 0u);
  EXPECT_EQ(s_.stats().unmatched_responses, 0u);
}

TEST_F(StitcherTest, FirstChunkAtPositionZeroThatIsNotAMessage) {
  // Positions may count from when the tracker first saw an open connection.
  Req("ody of something earlier");
  Resp("t of an earlier response");
  Req(kGet);
  Resp(kOk);
  ConfirmingRequest();
  auto r = Take();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].status, 200);
  EXPECT_EQ(s_.stats().parse_errors, 0u);
}

TEST_F(StitcherTest, ResponseBeforeRequestBodyEnds) {
  std::string req = BuildRequest("POST", "/early", std::string(100, 'e'));
  Req(req.substr(0, req.size() - 50));
  Resp(BuildResponse(413, "too big"));
  EXPECT_TRUE(Take().empty());  // the request is still open
  uint64_t t = Req(req.substr(req.size() - 50));
  auto r = Take();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].status, 413);
  EXPECT_EQ(r[0].req_end_ns, t);
  EXPECT_EQ(r[0].req_body_bytes, 100u);
}

TEST_F(StitcherTest, UnmatchedBodilessResponseDoesNotSwallowTheNext) {
  // A HEAD request is lost; its response carries Content-Length but no body.
  std::string lost = "HEAD /gone HTTP/1.1\r\n\r\n";
  Resp("HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n");
  Req(kGet, {.lost_before = lost.size()});
  Resp(kOk);
  ConfirmingRequest();
  auto r = Take();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].path, "/hello");
  EXPECT_EQ(r[0].status, 200);
  EXPECT_EQ(r[0].resp_body_bytes, 5u);
}

TEST_F(StitcherTest, TransferEncodingWinsOverContentLength) {
  Req("POST /te HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
      "4\r\nabcd\r\n0\r\nX-T: 1\r\n\r\n");
  Resp(kOk);
  auto r = Take();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].req_body_bytes, 4u);
  EXPECT_EQ(s_.stats().parse_errors, 0u);
}

TEST_F(StitcherTest, BareLineFeedsAndEarlyHints) {
  Req("GET /lf?x HTTP/1.1\nHost: a\n\n");
  Resp("HTTP/1.1 103 Early Hints\nLink: </s.css>\n\nHTTP/1.1 200 OK\nContent-Length: 2\n\nok");
  Req("POST /zero HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
  Resp("HTTP/1.1 204 No Content\r\n\r\n");
  auto r = Take();
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].path, "/lf");
  EXPECT_EQ(r[0].status, 200);
  EXPECT_EQ(r[0].resp_body_bytes, 2u);
  EXPECT_EQ(r[1].method, "POST");
  EXPECT_EQ(r[1].req_body_bytes, 0u);
  EXPECT_EQ(r[1].status, 204);
  EXPECT_EQ(s_.stats().responses, 2u);
}

TEST_F(StitcherTest, LostEventsInsideChunkDataLoseNothing) {
  std::string resp = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
                     ChunkedEncode(std::string(5000, 'd'), 5000);
  Req(kGet);
  Resp(resp.substr(0, 100));
  resp_pos_ += 3000;  // lost, all inside the 5000-byte chunk
  Resp(resp.substr(3100));
  auto r = Take();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].resp_body_bytes, 5000u);
  EXPECT_FALSE(r[0].estimated);
  EXPECT_EQ(s_.stats().gaps, 1u);
}

TEST_F(StitcherTest, LostChunkSizeLineDropsTheResponse) {
  std::string resp = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
                     ChunkedEncode(std::string(300, 'd'), 100);
  Req(kGet);
  Resp(resp.substr(0, 60));
  resp_pos_ += 100;  // the rest of chunk one and the next size line are lost
  Resp(resp.substr(160));
  Req(kGet);
  Resp(kOk);
  ConfirmingRequest();
  auto r = Take();
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].status, 0);
  EXPECT_EQ(r[1].status, 200);
  EXPECT_EQ(s_.stats().dropped_messages, 1u);
}

TEST_F(StitcherTest, MovedStitcherKeepsState) {
  Req(kGet);
  Stitcher moved = std::move(s_);
  moved.AddResponseData({0, static_cast<uint32_t>(kOk.size()), kOk, 5});
  auto r = moved.TakeRecords();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].status, 200);
  s_ = Stitcher();
}

TEST(StitcherRole, LooksLikeRequestOrResponse) {
  EXPECT_TRUE(Stitcher::LooksLikeRequest("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
  EXPECT_TRUE(Stitcher::LooksLikeRequest("POST /submit?x=1 HTTP/1.0\r\n"));
  EXPECT_TRUE(Stitcher::LooksLikeRequest("OPTIONS * HTTP/1.1\r\n"));
  EXPECT_FALSE(Stitcher::LooksLikeRequest("GE"));
  EXPECT_FALSE(Stitcher::LooksLikeRequest("HTTP/1.1 200 OK\r\n"));
  EXPECT_FALSE(Stitcher::LooksLikeRequest("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"));
  EXPECT_FALSE(Stitcher::LooksLikeRequest(""));
  EXPECT_TRUE(Stitcher::LooksLikeResponse("HTTP/1.1 200 OK\r\n"));
  EXPECT_TRUE(Stitcher::LooksLikeResponse("HTTP/1.0 503 Service Unavailable"));
  EXPECT_FALSE(Stitcher::LooksLikeResponse("HTTP/1.1"));
  EXPECT_FALSE(Stitcher::LooksLikeResponse("GET / HTTP/1.1\r\n"));
  EXPECT_FALSE(Stitcher::LooksLikeResponse("\x00\x00\x12\x04"));
}

}  // namespace
}  // namespace hugin::http1

namespace hugin::http1 {
namespace {

DataChunk At(uint64_t pos, std::string_view bytes, uint64_t ts) {
  return DataChunk{pos, static_cast<uint32_t>(bytes.size()), bytes, ts, 0};
}

TEST(StitcherStartsAtZero, FirstChunkPastZeroIsAGapNotAJoin) {
  const std::string get = "GET /a HTTP/1.1\r\n\r\n";
  const std::string ok = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
  Options opts;
  opts.streams_start_at_zero = true;
  Stitcher s(opts);
  s.AddRequestData(At(0, get, 10));
  s.AddResponseData(At(500, ok, 20));  // the first 500 response bytes were lost
  EXPECT_EQ(s.stats().gaps, 1u);
  // Without the option the same stream is taken as joined mid-way: no gap.
  Stitcher joined;
  joined.AddRequestData(At(0, get, 10));
  joined.AddResponseData(At(500, ok, 20));
  EXPECT_EQ(joined.stats().gaps, 0u);
}

TEST(StitcherStartsAtZero, JunkAtPositionZeroIsAParseError) {
  Options opts;
  opts.streams_start_at_zero = true;
  Stitcher s(opts);
  s.AddRequestData(At(0, std::string("\x16\x03\x01\x02\x00garbage\r\n\r\n", 16), 10));
  EXPECT_GE(s.stats().parse_errors, 1u);
  Stitcher joined;
  joined.AddRequestData(At(0, std::string("\x16\x03\x01\x02\x00garbage\r\n\r\n", 16), 10));
  EXPECT_EQ(joined.stats().parse_errors, 0u);
}

// The overload that fills a caller's vector gives the same records, replaces what it held, and
// leaves nothing behind.
TEST(StitcherTakeRecordsInto, SameRecordsAndTheVectorIsReplaced) {
  const std::string get = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
  const std::string ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi";
  Stitcher s;
  std::vector<Record> out(3);  // stale entries: must not survive
  uint64_t req_pos = 0, resp_pos = 0;
  for (int i = 0; i < 3; i++) {
    s.AddRequestData(At(req_pos, get + get, 10 * i + 1));
    req_pos += 2 * get.size();
    s.AddResponseData(At(resp_pos, ok + ok, 10 * i + 2));
    resp_pos += 2 * ok.size();
    s.TakeRecords(&out);
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].path, "/a");
    EXPECT_EQ(out[1].status, 200);
    EXPECT_EQ(out[1].req_start_ns, uint64_t(10 * i + 1));
  }
  s.TakeRecords(&out);
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(s.TakeRecords().empty());
}

}  // namespace
}  // namespace hugin::http1
