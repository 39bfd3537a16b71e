// A whole connection from its first byte: streams into exchanges, every frame type Hugin reads.
#include "core/protocols/http2/connection.h"

#include <gtest/gtest.h>

#include "core/protocols/http2/frame.h"
#include "core/protocols/http2/h2_testing.h"

namespace hugin::http2 {
namespace {

using namespace testing;

Options FromStart() {
  Options o;
  o.streams_start_at_zero = true;
  return o;
}

// One unary gRPC call: request of 7 message bytes, reply of 64, grpc-status 0.
struct Unary {
  std::string client, server;
};
Unary UnaryCall(Encoder& req_enc, Encoder& resp_enc, uint32_t id, const std::string& path) {
  Unary u;
  u.client = Cat({req_enc.Headers(id, GrpcRequest(path), false), Data(id, GrpcMessage(7), true)});
  u.server = Cat({resp_enc.Headers(id, GrpcResponseHead(), false), Data(id, GrpcMessage(64), false),
                  resp_enc.Headers(id, GrpcTrailers(0), true)});
  return u;
}

TEST(Connection, GrpcUnaryExchange) {
  Encoder ce, se;
  Connection c(FromStart());
  Wire w;
  Unary u = UnaryCall(ce, se, 1, "/hugin.fixture.Echo/Unary");
  w.Client(c, ClientStart() + u.client);
  w.Server(c, ServerStart() + u.server);
  auto ex = Take(c);
  ASSERT_EQ(ex.size(), 1u);
  const Exchange& e = ex[0];
  EXPECT_STREQ(e.protocol, "grpc");
  EXPECT_EQ(e.stream_id, 1u);
  EXPECT_EQ(e.method, "POST");
  EXPECT_EQ(e.path, "/hugin.fixture.Echo/Unary");
  EXPECT_EQ(e.authority, "127.0.0.1:9090");
  EXPECT_EQ(e.scheme, "http");
  EXPECT_EQ(e.content_type, "application/grpc");
  EXPECT_EQ(e.status, 200);
  EXPECT_EQ(e.grpc_status, 0);
  EXPECT_EQ(e.request_data_bytes, 12u);
  EXPECT_EQ(e.response_data_bytes, 69u);
  EXPECT_EQ(e.request_messages.count, 1u);
  EXPECT_EQ(e.request_messages.bytes, 7u);
  EXPECT_EQ(e.response_messages.count, 1u);
  EXPECT_EQ(e.response_messages.bytes, 64u);
  EXPECT_TRUE(e.request_messages.known && e.response_messages.known);
  EXPECT_TRUE(e.request_ended && e.response_ended);
  EXPECT_FALSE(e.incomplete || e.reset || e.request_fields_unknown || e.response_fields_unknown);
  // One call per direction: ts 1 = client, ts 2 = server.
  EXPECT_EQ(e.req_start_ns, 1u);
  EXPECT_EQ(e.req_end_ns, 1u);
  EXPECT_EQ(e.resp_start_ns, 2u);
  EXPECT_EQ(e.resp_end_ns, 2u);
  EXPECT_EQ(c.stats().frame_errors, 0u);
  EXPECT_EQ(c.stats().hpack_errors, 0u);
  EXPECT_FALSE(c.hpack_tolerant(Sender::kClient));
}

// The same two calls (the second uses the dynamic table) cut at every byte offset, one call
// per piece: the same records, with the times of the calls holding the first / last bytes.
TEST(Connection, SplitAtEveryOffset) {
  Encoder ce0, se0;
  Unary a = UnaryCall(ce0, se0, 1, "/pkg.S/A");
  Unary b = UnaryCall(ce0, se0, 3, "/pkg.S/B");
  std::string client = ClientStart() + a.client + b.client;
  std::string server = ServerStart() + a.server + b.server;
  for (size_t cut = 1; cut < std::max(client.size(), server.size()); ++cut) {
    Connection c(FromStart());
    Wire w;
    auto feed2 = [&](Sender s, const std::string& bytes) {
      uint64_t& pos = s == Sender::kClient ? w.client_pos : w.server_pos;
      std::string first = bytes.substr(0, std::min(cut, bytes.size()));
      Feed(c, s, first, &pos, &w.ts);
      if (cut < bytes.size()) Feed(c, s, bytes.substr(cut), &pos, &w.ts);
    };
    feed2(Sender::kClient, client);
    feed2(Sender::kServer, server);
    auto ex = Take(c);
    ASSERT_EQ(ex.size(), 2u) << "cut " << cut;
    EXPECT_EQ(ex[0].path, "/pkg.S/A") << "cut " << cut;
    EXPECT_EQ(ex[1].path, "/pkg.S/B") << "cut " << cut;
    EXPECT_EQ(ex[1].grpc_status, 0) << "cut " << cut;
    EXPECT_EQ(ex[1].response_messages.bytes, 64u) << "cut " << cut;
    EXPECT_EQ(c.stats().frame_errors + c.stats().hpack_errors + c.stats().gaps, 0u);
  }
}

TEST(Connection, ByteByByte) {
  Encoder ce, se;
  Unary a = UnaryCall(ce, se, 1, "/pkg.S/A");
  Connection c(FromStart());
  Wire w;
  w.Client(c, ClientStart() + a.client, 1);
  w.Server(c, ServerStart() + a.server, 1);
  auto ex = Take(c);
  ASSERT_EQ(ex.size(), 1u);
  EXPECT_EQ(ex[0].path, "/pkg.S/A");
  const uint64_t client_calls = (ClientStart() + a.client).size();
  EXPECT_EQ(ex[0].req_start_ns, ClientStart().size() + 1);  // the HEADERS frame's first byte
  EXPECT_EQ(ex[0].req_end_ns, client_calls);
  EXPECT_EQ(ex[0].resp_end_ns, client_calls + (ServerStart() + a.server).size());
}

TEST(Connection, Http2GetWithContinuationPaddingAndPriority) {
  Encoder ce, se;
  std::string block = ce.Encode(GetRequest("/index.html"));
  ASSERT_GT(block.size(), 6u);
  // HEADERS with PADDED (3 bytes) and PRIORITY, then two CONTINUATIONs.
  std::string headers_payload = std::string(1, 3) + std::string("\x00\x00\x00\x00\x10", 5) +
                                block.substr(0, 3) + std::string(3, '\0');
  std::string client =
      ClientStart() +
      Frame(kHeaders, kFlagPadded | kFlagPriority | kFlagEndStream, 1, headers_payload) +
      Frame(kContinuation, 0, 1, block.substr(3, 3)) +
      Frame(kContinuation, kFlagEndHeaders, 1, block.substr(6));
  std::string body = "hello world";
  std::string server = ServerStart() + se.Headers(1, Response(404), false) +
                       Frame(kData, kFlagPadded | kFlagEndStream, 1,
                             std::string(1, 4) + body + std::string(4, '\0'));
  Connection c(FromStart());
  Wire w;
  w.Client(c, client);
  w.Server(c, server);
  auto ex = Take(c);
  ASSERT_EQ(ex.size(), 1u);
  EXPECT_STREQ(ex[0].protocol, "http2");
  EXPECT_EQ(ex[0].method, "GET");
  EXPECT_EQ(ex[0].path, "/index.html");
  EXPECT_EQ(ex[0].authority, "localhost:8080");
  EXPECT_EQ(ex[0].status, 404);
  EXPECT_EQ(ex[0].content_type, std::nullopt);
  EXPECT_EQ(ex[0].response_data_bytes, 11u);  // padding excluded
  EXPECT_EQ(ex[0].request_data_bytes, 0u);
  EXPECT_FALSE(ex[0].incomplete);
}

TEST(Connection, TrailersOnlyGrpcError) {
  Encoder ce, se;
  Connection c(FromStart());
  Wire w;
  w.Client(c, Cat({ClientStart(), ce.Headers(1, GrpcRequest("/pkg.S/Fail"), false),
                   Data(1, GrpcMessage(3), true)}));
  Fields trailers_only = {{":status", "200"},
                          {"content-type", "application/grpc"},
                          {"grpc-status", "5"},
                          {"grpc-message", "not found"}};
  w.Server(c, Cat({ServerStart(), se.Headers(1, trailers_only, true)}));
  auto ex = Take(c);
  ASSERT_EQ(ex.size(), 1u);
  EXPECT_EQ(ex[0].status, 200);
  EXPECT_EQ(ex[0].grpc_status, 5);
  EXPECT_EQ(ex[0].grpc_message, "not found");
  EXPECT_EQ(ex[0].response_data_bytes, 0u);
  EXPECT_EQ(ex[0].response_messages.count, 0u);
  EXPECT_FALSE(ex[0].incomplete);
}

TEST(Connection, InformationalHeadIsSkipped) {
  Encoder ce, se;
  Connection c(FromStart());
  Wire w;
  w.Client(c, Cat({ClientStart(), ce.Headers(1, GetRequest("/x"), true)}));
  w.Server(c, Cat({ServerStart(), se.Headers(1, {{":status", "103"}}, false),
                   se.Headers(1, Response(200), true)}));
  auto ex = Take(c);
  ASSERT_EQ(ex.size(), 1u);
  EXPECT_EQ(ex[0].status, 200);
}

TEST(Connection, RstStreamEndsTheStream) {
  Encoder ce, se;
  Connection c(FromStart());
  Wire w;
  w.Client(c,
           Cat({ClientStart(), ce.Headers(1, GrpcRequest("/pkg.S/Slow"), false),
                Data(1, GrpcMessage(1), true), ce.Headers(3, GrpcRequest("/pkg.S/Other"), false)}));
  w.Client(c, RstStream(1, 8));  // CANCEL
  auto ex = Take(c);
  ASSERT_EQ(ex.size(), 1u);
  EXPECT_EQ(ex[0].path, "/pkg.S/Slow");
  EXPECT_TRUE(ex[0].reset);
  EXPECT_EQ(ex[0].reset_by, Sender::kClient);
  EXPECT_EQ(ex[0].reset_error_code, 8u);
  EXPECT_TRUE(ex[0].incomplete);
  EXPECT_EQ(ex[0].status, std::nullopt);
  EXPECT_EQ(c.open_streams(), 1u);
  // A late frame on the reset stream does not bring it back.
  w.Server(c, Cat({ServerStart(), se.Headers(1, GrpcResponseHead(), false)}));
  EXPECT_TRUE(Take(c).empty());
  EXPECT_EQ(c.open_streams(), 1u);
}

TEST(Connection, GoawayRefusesStreamsAboveLastStreamId) {
  Encoder ce, se;
  Connection c(FromStart());
  Wire w;
  w.Client(c, Cat({ClientStart(), ce.Headers(1, GetRequest("/a"), true),
                   ce.Headers(3, GetRequest("/b"), true), ce.Headers(5, GetRequest("/c"), true)}));
  w.Server(c, ServerStart() + Goaway(1, 0));
  auto ex = Take(c);
  ASSERT_EQ(ex.size(), 2u);
  EXPECT_EQ(ex[0].path, "/b");
  EXPECT_EQ(ex[1].path, "/c");
  EXPECT_TRUE(ex[0].refused_by_goaway && ex[1].refused_by_goaway);
  EXPECT_TRUE(ex[0].incomplete);
  w.Server(c, se.Headers(1, Response(200), true));
  ex = Take(c);
  ASSERT_EQ(ex.size(), 1u);
  EXPECT_EQ(ex[0].path, "/a");
  EXPECT_EQ(ex[0].status, 200);
  EXPECT_FALSE(ex[0].refused_by_goaway);
}

TEST(Connection, CloseHandsOutOpenStreamsAsIncomplete) {
  Encoder ce, se;
  Connection c(FromStart());
  Wire w;
  w.Client(c, Cat({ClientStart(), ce.Headers(1, GrpcRequest("/pkg.S/Stream"), false),
                   Data(1, GrpcMessage(2), true)}));
  w.Server(c, Cat({ServerStart(), se.Headers(1, GrpcResponseHead(), false),
                   Data(1, GrpcMessage(10) + GrpcMessage(20), false)}));
  EXPECT_TRUE(Take(c).empty());
  c.OnClose(100);
  auto ex = Take(c);
  ASSERT_EQ(ex.size(), 1u);
  EXPECT_TRUE(ex[0].incomplete);
  EXPECT_EQ(ex[0].path, "/pkg.S/Stream");
  EXPECT_EQ(ex[0].grpc_status, std::nullopt);
  EXPECT_EQ(ex[0].response_messages.count, 2u);
  EXPECT_EQ(ex[0].response_messages.bytes, 30u);
}

// Messages spanning DATA frames, several messages in one frame, the compressed flag.
TEST(Connection, GrpcMessagesAcrossFrames) {
  Encoder ce, se;
  std::string msgs = GrpcMessage(100) + GrpcMessage(3, true) + GrpcMessage(0) + GrpcMessage(40);
  std::string server = ServerStart() + se.Headers(1, GrpcResponseHead(), false);
  for (size_t off = 0; off < msgs.size(); off += 17) server += Data(1, msgs.substr(off, 17), false);
  server += se.Headers(1, GrpcTrailers(0), true);
  Connection c(FromStart());
  Wire w;
  w.Client(c, Cat({ClientStart(), ce.Headers(1, GrpcRequest("/pkg.S/M"), false),
                   Data(1, GrpcMessage(1), true)}));
  w.Server(c, server);
  auto ex = Take(c);
  ASSERT_EQ(ex.size(), 1u);
  EXPECT_EQ(ex[0].response_messages.count, 4u);
  EXPECT_EQ(ex[0].response_messages.bytes, 143u);
  EXPECT_TRUE(ex[0].response_messages.compressed);
  EXPECT_EQ(ex[0].response_data_bytes, 163u);
}

TEST(Connection, StreamsAreBoundedByEviction) {
  Options o = FromStart();
  o.max_streams = 4;
  Encoder ce;
  Connection c(o);
  Wire w;
  std::string client = ClientStart();
  for (uint32_t id = 1; id <= 13; id += 2)
    client += ce.Headers(id, GetRequest("/s" + std::to_string(id)), true);
  w.Client(c, client);
  EXPECT_EQ(c.open_streams(), 4u);
  EXPECT_EQ(c.stats().stream_evictions, 3u);
  auto ex = Take(c);
  ASSERT_EQ(ex.size(), 3u);
  EXPECT_EQ(ex[0].path, "/s1");
  EXPECT_TRUE(ex[0].evicted && ex[0].incomplete);
}

TEST(Connection, UnknownFrameTypesAreSkipped) {
  Encoder ce, se;
  Connection c(FromStart());
  Wire w;
  w.Client(c, Cat({ClientStart(), Frame(0xb, 0, 0, "altsvc-ish"),
                   ce.Headers(1, GetRequest("/u"), true)}));
  w.Server(c, Cat({ServerStart(), Frame(0xfa, 0xff, 1, std::string(300, 'z')),
                   se.Headers(1, Response(204), true)}));
  auto ex = Take(c);
  ASSERT_EQ(ex.size(), 1u);
  EXPECT_EQ(ex[0].path, "/u");
  EXPECT_EQ(ex[0].status, 204);
  EXPECT_EQ(c.stats().unknown_frame_types, 2u);
  EXPECT_EQ(c.stats().frame_errors, 0u);
}

TEST(Connection, MaxFrameSizeFromSettings) {
  Encoder ce, se;
  // Without the server raising SETTINGS_MAX_FRAME_SIZE, a 20000-byte client frame is an error.
  for (bool raised : {false, true}) {
    Connection c(FromStart());
    Wire w;
    w.Server(c, raised ? Settings({{0x5, 1 << 20}}) : Settings({}));
    w.Client(c, Cat({ClientStart(), ce.Headers(1, GrpcRequest("/pkg.S/Big"), false),
                     Data(1, GrpcMessage(19995), true)}));
    EXPECT_EQ(c.stats().frame_errors, raised ? 0u : 1u);
    EXPECT_EQ(c.stats().out_of_sync, raised ? 0u : 1u);
  }
}

// The server's SETTINGS_HEADER_TABLE_SIZE lets the client's encoder grow its table: the
// client direction's inflater must accept the size update and the larger entries.
TEST(Connection, HeaderTableSizeFromSettings) {
  Encoder ce(65536), se;  // may grow up to 64 KiB when the peer allows
  Connection c(FromStart());
  Wire w;
  w.Client(c, ClientStart());
  w.Server(c, Settings({{0x1, 16384}}));
  ce.ChangeTableSize(16384);
  std::string big(6000, 'k');
  Fields f = GetRequest("/t");
  f.push_back({"x-big", big});
  w.Client(c, Cat({ce.Headers(1, f, true), ce.Headers(3, f, true)}));
  w.Server(c, Cat({se.Headers(1, Response(200), true), se.Headers(3, Response(200), true)}));
  auto ex = Take(c);
  ASSERT_EQ(ex.size(), 2u);
  EXPECT_EQ(ex[1].path, "/t");
  EXPECT_FALSE(ex[1].request_fields_unknown);
  EXPECT_EQ(c.stats().hpack_errors, 0u);
  EXPECT_FALSE(c.hpack_tolerant(Sender::kClient));
}

}  // namespace
}  // namespace hugin::http2
