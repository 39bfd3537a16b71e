#include "core/protocols/http1/parse.h"

#include <gtest/gtest.h>

namespace hugin::http1 {
namespace {

TEST(FindHeadEnd, CrlfAndBareLf) {
  EXPECT_EQ(FindHeadEnd("GET / HTTP/1.1\r\nHost: a\r\n\r\nBODY"), 27u);
  EXPECT_EQ(FindHeadEnd("GET / HTTP/1.1\nHost: a\n\nBODY"), 24u);
  EXPECT_EQ(FindHeadEnd("GET / HTTP/1.1\r\n\r\n"), 18u);
  EXPECT_EQ(FindHeadEnd("GET / HTTP/1.1\r\nHost: a\r\n"), 0u);
  EXPECT_EQ(FindHeadEnd("GET / HTTP/1.1\r\nHost: a\r\n\r"), 0u);
  EXPECT_EQ(FindHeadEnd(""), 0u);
}

TEST(FindHeadEnd, ResumesWhereItStopped) {
  std::string head = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
  for (size_t split = 1; split < head.size(); ++split) {
    std::string first = head.substr(0, split);
    ASSERT_EQ(FindHeadEnd(first), 0u) << split;
    EXPECT_EQ(FindHeadEnd(head, split >= 2 ? split - 2 : 0), head.size()) << split;
  }
}

// Header names and methods are tokens (RFC 9110 tchar): every byte value is tried in a name.
TEST(ParseRequestHead, TokenBytesExactlyAsRfc9110) {
  const std::string tchar_punct = "!#$%&'*+-.^_`|~";
  for (int b = 0; b < 256; ++b) {
    const char c = static_cast<char>(b);
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    const bool tchar = alnum || (b != 0 && tchar_punct.find(c) != std::string::npos);
    MessageHead h;
    if (c != ':') {  // "X:Y: v" is a field named X
      EXPECT_EQ(ParseRequestHead("GET / HTTP/1.1\r\nX" + std::string(1, c) + "Y: v\r\n\r\n", &h),
                tchar)
          << b;
    }
    EXPECT_EQ(ParseRequestHead("G" + std::string(1, c) + "T / HTTP/1.1\r\n\r\n", &h), tchar) << b;
  }
}

TEST(ParseRequestHead, RequestLineAndFramingHeaders) {
  MessageHead h;
  ASSERT_TRUE(ParseRequestHead(
      "POST /api/v1/items?id=3 HTTP/1.1\r\nHost: x\r\ncontent-LENGTH:  12 \r\n\r\n", &h));
  EXPECT_EQ(h.method, "POST");
  EXPECT_EQ(h.path, "/api/v1/items");
  EXPECT_EQ(h.minor_version, 1);
  ASSERT_TRUE(h.content_length.has_value());
  EXPECT_EQ(*h.content_length, 12u);
  EXPECT_FALSE(h.has_transfer_encoding);

  ASSERT_TRUE(ParseRequestHead(
      "PUT /u HTTP/1.0\nTransfer-Encoding: gzip, Chunked\nContent-Length: 3\n\n", &h));
  EXPECT_EQ(h.minor_version, 0);
  EXPECT_TRUE(h.has_transfer_encoding);
  EXPECT_TRUE(h.chunked);
}

TEST(ParseRequestHead, ObsoleteLineFoldingIsTolerated) {
  MessageHead h;
  EXPECT_TRUE(ParseRequestHead("GET / HTTP/1.1\r\nX-A: one\r\n  two\r\n\r\n", &h));
  EXPECT_FALSE(ParseRequestHead("GET / HTTP/1.1\r\n  fold-first\r\n\r\n", &h));
}

TEST(ParseRequestHead, RejectsMalformedHeads) {
  MessageHead h;
  EXPECT_FALSE(ParseRequestHead("GET / HTTP/2.0\r\n\r\n", &h));
  EXPECT_FALSE(ParseRequestHead("GET /\r\n\r\n", &h));
  EXPECT_FALSE(ParseRequestHead("GET  / HTTP/1.1\r\n\r\n", &h));  // empty target
  EXPECT_FALSE(ParseRequestHead("G(T / HTTP/1.1\r\n\r\n", &h));
  EXPECT_FALSE(ParseRequestHead("GET / HTTP/1.1\r\nNoColon\r\n\r\n", &h));
  EXPECT_FALSE(ParseRequestHead("GET / HTTP/1.1\r\nBad Name: v\r\n\r\n", &h));
  EXPECT_FALSE(ParseRequestHead("GET / HTTP/1.1\r\nX: a\x01z\r\n\r\n", &h));
  EXPECT_FALSE(ParseRequestHead(std::string("GET / HTTP/1.1\r\nX: a\0z\r\n\r\n", 26), &h));
  EXPECT_FALSE(ParseRequestHead("GET / HTTP/1.1\r\nHost: x\r\n", &h));  // unterminated
}

TEST(ParseRequestHead, ContentLengthValidation) {
  MessageHead h;
  ASSERT_TRUE(ParseRequestHead("POST / HTTP/1.1\r\nContent-Length: 5, 5\r\n\r\n", &h));
  EXPECT_FALSE(h.bad_content_length);
  EXPECT_EQ(*h.content_length, 5u);
  for (const char* bad : {"POST / HTTP/1.1\r\nContent-Length: 5, 6\r\n\r\n",
                          "POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
                          "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
                          "POST / HTTP/1.1\r\nContent-Length: 0x10\r\n\r\n",
                          "POST / HTTP/1.1\r\nContent-Length: \r\n\r\n",
                          "POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n"}) {
    ASSERT_TRUE(ParseRequestHead(bad, &h)) << bad;
    EXPECT_TRUE(h.bad_content_length) << bad;
    EXPECT_FALSE(RequestBodyFraming(h).has_value()) << bad;
  }
}

TEST(ParseResponseHead, StatusLines) {
  MessageHead h;
  ASSERT_TRUE(ParseResponseHead("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", &h));
  EXPECT_EQ(h.status, 404);
  ASSERT_TRUE(ParseResponseHead("HTTP/1.0 200\r\n\r\n", &h));  // no reason phrase
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.minor_version, 0);
  ASSERT_TRUE(ParseResponseHead("HTTP/1.1 200 \r\n\r\n", &h));
  EXPECT_FALSE(ParseResponseHead("HTTP/1.1 20 OK\r\n\r\n", &h));
  EXPECT_FALSE(ParseResponseHead("HTTP/1.1 2000 OK\r\n\r\n", &h));
  EXPECT_FALSE(ParseResponseHead("HTTP/1.1 099 Low\r\n\r\n", &h));
  EXPECT_FALSE(ParseResponseHead("HTTP/2 200 OK\r\n\r\n", &h));
  EXPECT_FALSE(ParseResponseHead("ICY 200 OK\r\n\r\n", &h));
}

TEST(PathFromTarget, StripsQueryFragmentAndAuthority) {
  EXPECT_EQ(PathFromTarget("/hello"), "/hello");
  EXPECT_EQ(PathFromTarget("/hello?x=1"), "/hello");
  EXPECT_EQ(PathFromTarget("/hello#top"), "/hello");
  EXPECT_EQ(PathFromTarget("/a/b?x=1#f"), "/a/b");
  EXPECT_EQ(PathFromTarget("http://h/x?y"), "/x");
  EXPECT_EQ(PathFromTarget("https://h:8443/x/y#z"), "/x/y");
  EXPECT_EQ(PathFromTarget("http://h"), "/");
  EXPECT_EQ(PathFromTarget("http://h?q=1"), "/");
  EXPECT_EQ(PathFromTarget("*"), "*");
  EXPECT_EQ(PathFromTarget("example.com:443"), "example.com:443");
  EXPECT_EQ(PathFromTarget("/?q"), "/");
}

MessageHead Response(int status, std::string_view headers) {
  MessageHead h;
  std::string text = "HTTP/1.1 " + std::to_string(status) + " X\r\n" + std::string(headers) + "\r\n";
  EXPECT_TRUE(ParseResponseHead(text, &h)) << text;
  return h;
}

TEST(BodyFraming, Responses) {
  RequestContext get, head, connect;
  head.is_head = true;
  connect.is_connect = true;
  auto kind = [](const MessageHead& h, const RequestContext& r) {
    return ResponseBodyFraming(h, r)->kind;
  };
  EXPECT_EQ(kind(Response(200, "Content-Length: 5\r\n"), get), BodyKind::kLength);
  EXPECT_EQ(ResponseBodyFraming(Response(200, "Content-Length: 5\r\n"), get)->length, 5u);
  EXPECT_EQ(kind(Response(200, "Content-Length: 0\r\n"), get), BodyKind::kNone);
  EXPECT_EQ(kind(Response(200, "Content-Length: 5\r\n"), head), BodyKind::kNone);
  EXPECT_EQ(kind(Response(200, "Transfer-Encoding: chunked\r\n"), head), BodyKind::kNone);
  EXPECT_EQ(kind(Response(204, ""), get), BodyKind::kNone);
  EXPECT_EQ(kind(Response(304, "Content-Length: 100\r\n"), get), BodyKind::kNone);
  EXPECT_EQ(kind(Response(100, ""), get), BodyKind::kNone);
  EXPECT_EQ(kind(Response(101, "Upgrade: websocket\r\n"), get), BodyKind::kTunnel);
  EXPECT_EQ(kind(Response(200, ""), connect), BodyKind::kTunnel);
  EXPECT_EQ(kind(Response(407, "Content-Length: 3\r\n"), connect), BodyKind::kLength);
  EXPECT_EQ(kind(Response(200, ""), get), BodyKind::kUntilClose);
  EXPECT_EQ(kind(Response(200, "Transfer-Encoding: chunked\r\nContent-Length: 9\r\n"), get),
            BodyKind::kChunked);
  EXPECT_EQ(kind(Response(200, "Transfer-Encoding: gzip\r\n"), get), BodyKind::kUntilClose);
  EXPECT_FALSE(ResponseBodyFraming(Response(200, "Content-Length: abc\r\n"), get).has_value());
}

TEST(BodyFraming, Requests) {
  MessageHead h;
  ASSERT_TRUE(ParseRequestHead("GET / HTTP/1.1\r\n\r\n", &h));
  EXPECT_EQ(RequestBodyFraming(h)->kind, BodyKind::kNone);  // requests never read to close
  ASSERT_TRUE(ParseRequestHead("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", &h));
  EXPECT_EQ(RequestBodyFraming(h)->kind, BodyKind::kChunked);
  ASSERT_TRUE(ParseRequestHead("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", &h));
  EXPECT_FALSE(RequestBodyFraming(h).has_value());
  ASSERT_TRUE(ParseRequestHead("POST / HTTP/1.1\r\nContent-Length: 4096\r\n\r\n", &h));
  EXPECT_EQ(RequestBodyFraming(h)->kind, BodyKind::kLength);
  EXPECT_EQ(RequestBodyFraming(h)->length, 4096u);
}

TEST(ParseChunkSizeLine, HexSizesAndExtensions) {
  uint64_t n = 0;
  ASSERT_TRUE(ParseChunkSizeLine("1a", &n));
  EXPECT_EQ(n, 26u);
  ASSERT_TRUE(ParseChunkSizeLine("FF;name=value", &n));
  EXPECT_EQ(n, 255u);
  ASSERT_TRUE(ParseChunkSizeLine("0", &n));
  EXPECT_EQ(n, 0u);
  ASSERT_TRUE(ParseChunkSizeLine("10 ", &n));
  EXPECT_EQ(n, 16u);
  EXPECT_FALSE(ParseChunkSizeLine("", &n));
  EXPECT_FALSE(ParseChunkSizeLine("xyz", &n));
  EXPECT_FALSE(ParseChunkSizeLine("12 34", &n));
  EXPECT_FALSE(ParseChunkSizeLine("-1", &n));
  EXPECT_FALSE(ParseChunkSizeLine("ffffffffffffffffff", &n));  // overflow
}

TEST(MatchStart, Requests) {
  EXPECT_EQ(MatchRequestStart("GET / HTTP/1.1\r\n"), StartMatch::kYes);
  EXPECT_EQ(MatchRequestStart("DELETE /x"), StartMatch::kYes);  // line end not visible
  EXPECT_EQ(MatchRequestStart("CONNECT example.com:443 HTTP/1.1\r\n"), StartMatch::kYes);
  EXPECT_EQ(MatchRequestStart("GE"), StartMatch::kMaybe);
  EXPECT_EQ(MatchRequestStart("POST "), StartMatch::kMaybe);
  EXPECT_EQ(MatchRequestStart("GET / SPDY/3\r\n"), StartMatch::kNo);
  EXPECT_EQ(MatchRequestStart("GETX / HTTP/1.1\r\n"), StartMatch::kNo);
  EXPECT_EQ(MatchRequestStart("get / HTTP/1.1\r\n"), StartMatch::kNo);
  EXPECT_EQ(MatchRequestStart("PRI * HTTP/2.0\r\n"), StartMatch::kNo);
  EXPECT_EQ(MatchRequestStart("\x16\x03\x01\x02"), StartMatch::kNo);
}

TEST(MatchStart, Responses) {
  EXPECT_EQ(MatchResponseStart("HTTP/1.1 200 OK\r\n"), StartMatch::kYes);
  EXPECT_EQ(MatchResponseStart("HTTP/1.0 404"), StartMatch::kYes);
  EXPECT_EQ(MatchResponseStart("HTTP/1.1 2"), StartMatch::kMaybe);
  EXPECT_EQ(MatchResponseStart("HTTP/2 200"), StartMatch::kNo);
  EXPECT_EQ(MatchResponseStart("HTTP/1.1 2000"), StartMatch::kNo);
  EXPECT_EQ(MatchResponseStart("GET / HTTP/1.1"), StartMatch::kNo);
  EXPECT_EQ(MatchLooseStart(MessageKind::kRequest, "PROPFIND /x HTTP/1.1"), StartMatch::kYes);
  EXPECT_EQ(MatchLooseStart(MessageKind::kRequest, "\x01\x02"), StartMatch::kNo);
  EXPECT_EQ(MatchLooseStart(MessageKind::kRequest, "PROPF"), StartMatch::kMaybe);
}

}  // namespace
}  // namespace hugin::http1
