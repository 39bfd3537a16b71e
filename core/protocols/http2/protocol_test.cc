// HTTP/2 on the protocol contract: inference verdicts, and exchanges as the tracker gets them.
#include "core/protocols/http2/protocol.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "core/protocols/http2/h2_testing.h"

namespace hugin::http2 {
namespace {

using namespace testing;  // NOLINT: the wire builders
using protocols::Verdict;

// Feeds a whole direction as one syscall at *pos, advancing it.
void Send(protocols::ConnectionParser& p, Sender from, const std::string& bytes, uint64_t* pos,
          uint64_t ts) {
  p.OnData(from, {*pos, static_cast<uint32_t>(bytes.size()), bytes, ts});
  *pos += bytes.size();
}

TEST(Http2Protocol, InfersTheClientFromThePrefaceAndTheServerFromItsSettings) {
  const std::string preface = ClientStart();
  auto c = Infer(preface, preface.size(), true);
  EXPECT_EQ(c.verdict, Verdict::kYes);
  EXPECT_EQ(c.sender, Sender::kClient);
  const std::string settings = ServerStart();
  auto s = Infer(settings, settings.size(), true);
  EXPECT_EQ(s.verdict, Verdict::kYes);
  EXPECT_EQ(s.sender, Sender::kServer);
  EXPECT_EQ(Infer("PRI * HT", 8, true).verdict, Verdict::kMaybe);
  EXPECT_EQ(Infer("GET / HTTP/1.1\r\n\r\n", 18, true).verdict, Verdict::kNo);
  EXPECT_EQ(kTraits.capture, HG_CAPTURE_FULL);
}

TEST(Http2Protocol, GrpcCallsBecomeExchangesWithMessageSizesAndGrpcStatus) {
  auto p = kTraits.make_parser(true, {});
  Encoder client, server;
  uint64_t cpos = 0, spos = 0;
  Send(*p, Sender::kClient,
       Cat({ClientStart(), client.Headers(1, GrpcRequest("/pkg.Svc/Ok"), false),
            Data(1, GrpcMessage(12), true), client.Headers(3, GrpcRequest("/pkg.Svc/Fail"), false),
            Data(3, GrpcMessage(3), true)}),
       &cpos, 100);
  Send(*p, Sender::kServer,
       Cat({ServerStart(), server.Headers(1, GrpcResponseHead(), false),
            Data(1, GrpcMessage(40), false), server.Headers(1, GrpcTrailers(0), true),
            server.Headers(3, GrpcTrailers(5, "nope"), true)}),
       &spos, 200);
  // The server resets stream 3 after its answer ended (grpc-go does, with NO_ERROR): still an
  // answered call. A third call the server never answers: reset by the client.
  Send(*p, Sender::kServer, RstStream(3, 0), &spos, 250);
  Send(*p, Sender::kClient,
       Cat({client.Headers(5, GrpcRequest("/pkg.Svc/Slow"), false), RstStream(5, 8)}), &cpos, 300);
  p->OnClose(400, std::nullopt);
  std::vector<protocols::Exchange> out;
  p->TakeExchanges(out);
  ASSERT_EQ(out.size(), 3u);
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.stream_id < b.stream_id; });
  EXPECT_STREQ(out[0].protocol, "grpc");
  EXPECT_TRUE(out[0].answered);
  EXPECT_EQ(out[0].method, "POST");
  EXPECT_EQ(out[0].path, "/pkg.Svc/Ok");
  EXPECT_EQ(out[0].status, 200);
  EXPECT_EQ(out[0].grpc_status, 0);
  EXPECT_EQ(out[0].request_body_bytes, 12u) << "message bytes, prefixes excluded";
  EXPECT_EQ(out[0].response_body_bytes, 40u);
  EXPECT_EQ(out[0].req_start_ns, 100u);
  EXPECT_EQ(out[0].resp_end_ns, 200u);
  EXPECT_TRUE(out[1].answered);
  EXPECT_EQ(out[1].path, "/pkg.Svc/Fail");
  EXPECT_EQ(out[1].grpc_status, 5);
  EXPECT_EQ(out[1].stream_id, 3u);
  EXPECT_FALSE(out[2].answered) << "reset before any answer";
  EXPECT_EQ(out[2].path, "/pkg.Svc/Slow");
  EXPECT_EQ(p->stats().parse_errors, 0u);
}

TEST(Http2Protocol, PlainHttp2SizesAreDataBytes) {
  auto p = kTraits.make_parser(true, {});
  Encoder client, server;
  uint64_t cpos = 0, spos = 0;
  Send(*p, Sender::kClient, Cat({ClientStart(), client.Headers(1, GetRequest("/x?q=1#f"), true)}), &cpos,
       10);
  Send(*p, Sender::kServer,
       Cat({ServerStart(), server.Headers(1, Response(404), false), Data(1, "not here", true)}),
       &spos, 20);
  std::vector<protocols::Exchange> out;
  p->TakeExchanges(out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_STREQ(out[0].protocol, "http2");
  EXPECT_EQ(out[0].method, "GET");
  EXPECT_EQ(out[0].path, "/x") << "query and fragment stripped, as for HTTP/1";
  EXPECT_EQ(out[0].status, 404);
  EXPECT_FALSE(out[0].grpc_status.has_value());
  EXPECT_EQ(out[0].response_body_bytes, 8u);
}

TEST(Http2Protocol, AStreamNotSeenFromItsStartIsCountedNotReported) {
  // Late attach: the parser first sees the middle of a connection (no preface), a response to a
  // stream whose request it never saw.
  auto p = kTraits.make_parser(false, {});
  Encoder server;
  uint64_t spos = 5000;
  Send(*p, Sender::kServer,
       Cat({server.Headers(7, GrpcResponseHead(), false), Data(7, GrpcMessage(4), false),
            server.Headers(7, GrpcTrailers(0), true)}),
       &spos, 50);
  p->OnClose(60, std::nullopt);
  std::vector<protocols::Exchange> out;
  p->TakeExchanges(out);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(p->stats().unreported, 1u);
}

// Found by //core/protocols/http2:http2_fuzzer (its corpus keeps the input as
// regression-late-attach-client-data): after a late attach the server's whole answer to
// stream 1, then the client's last request DATA (END_STREAM). The request began before the
// attach; its DATA used to give it a start time after the answer's end, and it was reported as
// an answered exchange with a negative duration.
std::string Hex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  return out;
}

TEST(Http2Protocol, RequestDataAfterALateAttachGivesNoStartTime) {
  auto p = kTraits.make_parser(false, {});
  // SETTINGS ACK, WINDOW_UPDATE, PING, HEADERS 1 (:status 200, content-type application/grpc),
  // DATA 1, HEADERS 1 (END_STREAM): bytes as the fuzzer left them.
  const std::string server = Hex(
      "0000000401000000000000040800000000000000000e00000806000000000002041010090e070700"
      "000e010400000001885f8b1d75d0620d263d4c4d656400004700000000000100000000ffff5f3000"
      "065d2878787878787878787878787878787878787878787878787878787878787878787878787878"
      "7878784000787878787878787878787878787878787800001801050000000140889acac8b21234da"
      "8f013040899aca0000000204101000");
  // DATA 1 (END_STREAM) carrying a gRPC message "hello ".
  const std::string client = Hex("00000e00010000000100000000090a05656c6c6f204000");
  p->OnData(Sender::kServer, {200, static_cast<uint32_t>(server.size()), server, 1000, 0});
  p->OnData(Sender::kClient, {0, static_cast<uint32_t>(client.size()), client, 2000, 1500});
  std::vector<protocols::Exchange> out;
  p->TakeExchanges(out);
  p->OnClose(3000, std::nullopt);
  p->TakeExchanges(out);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(p->stats().unreported, 1u);
}

}  // namespace
}  // namespace hugin::http2
