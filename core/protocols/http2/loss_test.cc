// Lost and hidden bytes: truncated captures, position gaps, garbage, late attach. Fields that
// cannot be decoded must come out unknown, never wrong.
#include <gtest/gtest.h>

#include "core/protocols/http2/connection.h"
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

// Truncated DATA: only the frame headers (and gRPC prefixes) matter; sizes still come from
// frame lengths.
TEST(Loss, TruncatedDataCountsRight) {
  Encoder ce, se;
  Connection c(FromStart());
  Wire w;
  w.Client(c, ClientStart());
  w.Client(c, ce.Headers(1, GrpcRequest("/pkg.S/Up"), false));
  w.Client(c, Data(1, GrpcMessage(5000), true), SIZE_MAX, 64);  // 64 of 5014 bytes captured
  w.Server(c, Cat({ServerStart(), se.Headers(1, GrpcResponseHead(), false)}));
  w.Server(c, Data(1, GrpcMessage(3000), false), SIZE_MAX, 20);
  w.Server(c, se.Headers(1, GrpcTrailers(0), true));
  auto ex = Take(c);
  ASSERT_EQ(ex.size(), 1u);
  EXPECT_EQ(ex[0].path, "/pkg.S/Up");
  EXPECT_EQ(ex[0].request_data_bytes, 5005u);
  EXPECT_EQ(ex[0].response_data_bytes, 3005u);
  EXPECT_EQ(ex[0].request_messages.count, 1u);
  EXPECT_EQ(ex[0].request_messages.bytes, 5000u);
  EXPECT_TRUE(ex[0].request_messages.known);
  EXPECT_EQ(ex[0].grpc_status, 0);
  EXPECT_FALSE(ex[0].incomplete);
  EXPECT_EQ(c.stats().gaps, 0u);
  EXPECT_EQ(c.stats().out_of_sync, 0u);
}

// A DATA frame truncated past its own end: the next frame's header is hidden, so the direction
// is out of sync until a call starts with whole frames again.
TEST(Loss, TruncationHidingAFrameHeaderThenResync) {
  Encoder ce, se;
  Connection c(FromStart());
  Wire w;
  w.Client(c, Cat({ClientStart(), ce.Headers(1, GetRequest("/a"), true),
                   ce.Headers(3, GetRequest("/b"), true)}));
  w.Server(c, ServerStart());
  // One call with three frames, captured up to the middle of the DATA (its header is in
  // the 40 bytes, the next HEADERS is not).
  w.Server(c,
           Cat({se.Headers(1, Response(200), false), Data(1, std::string(100, 'x'), true),
                se.Headers(3, Response(201), false)}),
           SIZE_MAX, 40);
  EXPECT_EQ(c.stats().out_of_sync, 1u);
  EXPECT_FALSE(c.in_sync(Sender::kServer));
  // The next call starts with whole frames: resync; but the HPACK context is gone.
  w.Server(c, Data(3, "yy", true));
  EXPECT_TRUE(c.in_sync(Sender::kServer));
  EXPECT_EQ(c.stats().resyncs, 1u);
  EXPECT_TRUE(c.hpack_tolerant(Sender::kServer));
  c.OnClose(99);
  auto ex = Take(c);
  ASSERT_EQ(ex.size(), 2u);
  EXPECT_EQ(ex[0].path, "/a");
  EXPECT_EQ(ex[0].status, 200);  // its frames ended before the hidden header
  EXPECT_EQ(ex[0].response_data_bytes, 100u);
  EXPECT_FALSE(ex[0].incomplete);
  EXPECT_EQ(ex[1].path, "/b");
  EXPECT_EQ(ex[1].status, std::nullopt);  // its HEADERS was lost: unknown, not guessed
  EXPECT_TRUE(ex[1].response_fields_unknown);
  EXPECT_EQ(ex[1].response_data_bytes, 2u);
}

// A gap in the middle of a header block: that block's fields and every later reference to the
// dynamic table entries it may have inserted are unknown; static/literal fields still decode.
TEST(Loss, GapMidHeaderBlockMakesFieldsUnknownNotWrong) {
  Encoder ce, se;
  Connection c(FromStart());
  Wire w;
  w.Client(c, ClientStart());
  w.Server(c, ServerStart());
  // Request 1 puts ":path /pkg.S/A" etc. in the client's dynamic table.
  w.Client(c, Cat({ce.Headers(1, GrpcRequest("/pkg.S/A"), false), Data(1, GrpcMessage(1), true)}));
  w.Server(c,
           Cat({se.Headers(1, GrpcResponseHead(), false), se.Headers(1, GrpcTrailers(0), true)}));
  // Request 3's HEADERS: its middle bytes are lost (position jump).
  std::string h3 = ce.Headers(3, GrpcRequest("/pkg.S/B"), false);
  Feed(c, Sender::kClient, h3.substr(0, 12), &w.client_pos, &w.ts);
  w.client_pos += 3;  // 3 bytes never seen
  Feed(c, Sender::kClient, h3.substr(15), &w.client_pos, &w.ts);
  w.Client(c, Data(3, GrpcMessage(1), true));
  w.Server(c,
           Cat({se.Headers(3, GrpcResponseHead(), false), se.Headers(3, GrpcTrailers(0), true)}));
  // Request 5 reuses /pkg.S/A: a dynamic-table reference from before the loss.
  w.Client(c, Cat({ce.Headers(5, GrpcRequest("/pkg.S/A"), false), Data(5, GrpcMessage(1), true)}));
  w.Server(c,
           Cat({se.Headers(5, GrpcResponseHead(), false), se.Headers(5, GrpcTrailers(7), true)}));
  auto ex = Take(c);
  ASSERT_EQ(ex.size(), 3u);
  EXPECT_EQ(ex[0].path, "/pkg.S/A");
  EXPECT_FALSE(ex[0].request_fields_unknown);
  EXPECT_EQ(ex[1].path, std::nullopt);
  EXPECT_TRUE(ex[1].request_fields_unknown);
  EXPECT_EQ(ex[1].grpc_status, 0);  // the server's direction lost nothing
  // nghttp2's deflater sends :path as a literal (never indexed): it survives the loss. Its
  // :authority is a reference to the entry request 1 inserted: unknown.
  EXPECT_EQ(ex[2].path, "/pkg.S/A");
  EXPECT_EQ(ex[2].authority, std::nullopt);
  EXPECT_EQ(ex[2].method, "POST");  // static table: still known
  EXPECT_TRUE(ex[2].request_fields_unknown);
  EXPECT_EQ(ex[2].grpc_status, 7);
  EXPECT_FALSE(ex[2].response_fields_unknown);
  EXPECT_GE(c.stats().hpack_desyncs, 1u);
  EXPECT_GT(c.stats().unknown_fields, 0u);
}

// Late attach: dynamic-table entries inserted before the first byte seen are unknown; entries
// inserted after it resolve.
TEST(Loss, LateAttachLearnsNewEntries) {
  Encoder ce, se;
  Wire before;
  std::string early_client = ClientStart() + ce.Headers(1, GrpcRequest("/pkg.S/Old"), false) +
                             Data(1, GrpcMessage(1), true);
  std::string early_server = Cat({ServerStart(), se.Headers(1, GrpcResponseHead(), false),
                                  se.Headers(1, GrpcTrailers(0), true)});
  Connection c;  // streams_start_at_zero = false: positions are those of a connection seen late
  Wire w;
  w.client_pos = early_client.size();
  w.server_pos = early_server.size();
  // Stream 3 reuses /pkg.S/Old (unknown); stream 5 introduces /pkg.S/New; stream 7 reuses it.
  w.Client(c,
           Cat({ce.Headers(3, GrpcRequest("/pkg.S/Old"), false), Data(3, GrpcMessage(1), true)}));
  w.Server(c, Cat({se.Headers(3, GrpcResponseHead(), false), Data(3, GrpcMessage(2), false),
                   se.Headers(3, GrpcTrailers(0), true)}));
  w.Client(c,
           Cat({ce.Headers(5, GrpcRequest("/pkg.S/New"), false), Data(5, GrpcMessage(1), true)}));
  w.Server(c,
           Cat({se.Headers(5, GrpcResponseHead(), false), se.Headers(5, GrpcTrailers(0), true)}));
  w.Client(c,
           Cat({ce.Headers(7, GrpcRequest("/pkg.S/New"), false), Data(7, GrpcMessage(1), true)}));
  w.Server(c,
           Cat({se.Headers(7, GrpcResponseHead(), false), se.Headers(7, GrpcTrailers(3), true)}));
  auto ex = Take(c);
  ASSERT_EQ(ex.size(), 3u);
  EXPECT_TRUE(c.hpack_tolerant(Sender::kClient));
  // :path is a literal in nghttp2's encoding; :authority and content-type were indexed by
  // stream 1, before the attach.
  EXPECT_EQ(ex[0].path, "/pkg.S/Old");
  EXPECT_EQ(ex[0].authority, std::nullopt);
  EXPECT_EQ(ex[0].content_type, std::nullopt);
  EXPECT_TRUE(ex[0].request_fields_unknown);
  EXPECT_EQ(ex[0].method, "POST");
  EXPECT_EQ(ex[1].path, "/pkg.S/New");
  EXPECT_EQ(ex[2].path, "/pkg.S/New");
  // "grpc-status: 3" is a literal whose name is the dynamic entry stream 1's trailers
  // inserted: unknown, not guessed.
  EXPECT_EQ(ex[2].grpc_status, std::nullopt);
  EXPECT_TRUE(ex[2].response_fields_unknown);
  EXPECT_EQ(ex[0].response_messages.bytes, 2u);
  EXPECT_EQ(c.stats().frame_errors, 0u);
}

// Late attach in the middle of a frame: nothing decodes until a call starts with whole frames.
TEST(Loss, LateAttachMidFrameWaitsForABoundary) {
  Encoder ce, se;
  Connection c;
  Wire w;
  w.client_pos = 5000;
  w.server_pos = 7000;
  std::string h = ce.Headers(1, GetRequest("/x"), true);
  w.Client(c, h.substr(4));  // joins a HEADERS frame halfway
  EXPECT_FALSE(c.in_sync(Sender::kClient));
  w.Client(c, ce.Headers(3, GetRequest("/y"), true));
  EXPECT_TRUE(c.in_sync(Sender::kClient));
  w.Server(c, se.Headers(3, Response(200), true));
  auto ex = Take(c);
  ASSERT_EQ(ex.size(), 1u);
  EXPECT_EQ(ex[0].path, "/y");
  EXPECT_EQ(ex[0].status, 200);
  EXPECT_EQ(c.stats().bytes_skipped, h.size() - 4);
}

TEST(Loss, GarbageIsCountedNotDecoded) {
  Connection c(FromStart());
  Wire w;
  w.Client(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  w.Server(c, std::string("\xff\xff\xff\x01\x00\x00\x00\x00\x00junkjunk", 17));
  EXPECT_EQ(c.stats().frame_errors, 2u);  // bad preface; 16 MiB frame on stream 0
  EXPECT_EQ(c.stats().out_of_sync, 2u);
  EXPECT_TRUE(Take(c).empty());
}

TEST(Loss, OnGapBehavesAsAPositionJump) {
  Encoder ce, se;
  Connection c(FromStart());
  Wire w;
  w.Client(c, ClientStart());
  w.Server(c, Cat({ServerStart(), se.Headers(1, Response(200), false)}));
  std::string d = Data(1, std::string(50, 'b'), true);
  w.Server(c, d.substr(0, 20));
  c.OnGap(Sender::kServer, d.size() - 20);  // the rest of the DATA frame: boundaries survive
  w.server_pos += d.size() - 20;
  EXPECT_TRUE(c.in_sync(Sender::kServer));
  EXPECT_EQ(c.stats().gaps, 1u);
  c.OnGap(Sender::kServer, 3);  // lands on a frame header: boundaries are lost
  EXPECT_FALSE(c.in_sync(Sender::kServer));
}

TEST(Loss, HeaderBlockBoundIsEnforced) {
  Options o = FromStart();
  o.max_header_block_bytes = 64;
  Encoder ce, se;
  Connection c(o);
  Wire w;
  Fields big = GetRequest("/big");
  big.push_back({"x-long", std::string(200, 'v')});
  w.Client(c, ClientStart() + Frame(kHeaders, kFlagEndStream, 1, ""));
  std::string block = ce.Encode(big, /*never_index=*/true);
  w.Client(c, Frame(kContinuation, 0, 1, block.substr(0, 100)) +
                  Frame(kContinuation, kFlagEndHeaders, 1, block.substr(100)));
  w.Server(c, Cat({ServerStart(), se.Headers(1, Response(200), true)}));
  auto ex = Take(c);
  ASSERT_EQ(ex.size(), 1u);
  EXPECT_EQ(c.stats().header_block_overflows, 1u);
  EXPECT_EQ(ex[0].path, std::nullopt);
  EXPECT_TRUE(ex[0].request_fields_unknown);
  EXPECT_EQ(ex[0].status, 200);
}

}  // namespace
}  // namespace hugin::http2
