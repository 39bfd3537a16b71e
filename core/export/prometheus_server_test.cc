#include "core/export/prometheus_server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <cerrno>

namespace hugin {
namespace {

TEST(PrometheusServer, ServesMetricsOverRealHttp) {
  std::atomic<int> calls{0};
  PrometheusServer server;
  auto started = server.Start(0, [&calls] { return "hugin_spans_total " + std::to_string(++calls) + "\n"; });
  ASSERT_TRUE(started.ok()) << started.error().message;
  ASSERT_NE(server.port(), 0);

  httplib::Client client("127.0.0.1", server.port());
  auto first = client.Get("/metrics");
  ASSERT_TRUE(first) << httplib::to_string(first.error());
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->get_header_value("Content-Type"), "text/plain; version=0.0.4");
  EXPECT_EQ(first->body, "hugin_spans_total 1\n");
  auto second = client.Get("/metrics");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->body, "hugin_spans_total 2\n");  // body is produced per request

  auto other = client.Get("/other");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 404);
  server.Stop();
}

// Debian's cpp-httplib would compress the answer for a client that accepts it (brotli: ~15 ms
// of the agent's CPU per scrape); /metrics is always sent as it is. A raw socket, so that no
// client library decompresses behind the test's back.
TEST(PrometheusServer, AnswersUncompressedWhateverTheScraperAccepts) {
  const std::string text(20000, 'x');  // large and compressible
  PrometheusServer server;
  ASSERT_TRUE(server.Start(0, [&] { return text; }).ok());
  httplib::Client client("127.0.0.1", server.port());
  client.set_decompress(false);
  for (const char* accept : {"br", "gzip", "deflate, gzip, br, zstd"}) {
    SCOPED_TRACE(accept);
    auto r = client.Get("/metrics", {{"Accept-Encoding", accept}});
    ASSERT_TRUE(r) << httplib::to_string(r.error());
    EXPECT_EQ(r->status, 200);
    EXPECT_FALSE(r->has_header("Content-Encoding")) << r->get_header_value("Content-Encoding");
    EXPECT_EQ(r->body, text);
  }
  server.Stop();
}

// A scraper's kept-alive connection is closed after each answer: httplib waits for a kept-alive
// connection's next request in 10 ms polls, which woke the agent ~150 times a second.
TEST(PrometheusServer, ClosesTheConnectionAfterEachScrape) {
  PrometheusServer server;
  ASSERT_TRUE(server.Start(0, [] { return std::string("up 1\n"); }).ok());
  httplib::Client client("127.0.0.1", server.port());
  client.set_keep_alive(true);
  for (int i = 0; i < 2; i++) {
    auto r = client.Get("/metrics");
    ASSERT_TRUE(r) << httplib::to_string(r.error());
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->get_header_value("Connection"), "close");
  }
  server.Stop();
}

TEST(PrometheusServer, PortInUseIsAClearError) {
  PrometheusServer first;
  ASSERT_TRUE(first.Start(0, [] { return std::string(); }).ok());
  PrometheusServer second;
  auto started = second.Start(first.port(), [] { return std::string(); });
  ASSERT_FALSE(started.ok());
  const std::string& error = started.error().message;
  EXPECT_EQ(started.error().code, EADDRINUSE);
  EXPECT_EQ(error.rfind("hugin: cannot serve Prometheus metrics on 0.0.0.0:" +
                             std::to_string(first.port()) + ": ",
                         0),
            0u)
      << error;
  EXPECT_NE(error.find("in use"), std::string::npos) << error;
  EXPECT_EQ(error.find('\n'), std::string::npos);
}

TEST(PrometheusServer, StopFreesThePortAndIsIdempotent) {
  PrometheusServer server;
  ASSERT_TRUE(server.Start(0, [] { return std::string("x 1\n"); }).ok());
  uint16_t port = server.port();
  server.Stop();
  server.Stop();
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(1);
  EXPECT_FALSE(client.Get("/metrics"));  // nobody listens any more

  PrometheusServer again;
  ASSERT_TRUE(again.Start(port, [] { return std::string("y 1\n"); }).ok());
  auto res = httplib::Client("127.0.0.1", port).Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body, "y 1\n");
}

TEST(PrometheusServer, HandlerExceptionIs500NotACrash) {
  PrometheusServer server;
  ASSERT_TRUE(server.Start(0, []() -> std::string { throw std::runtime_error("boom"); }).ok());
  auto res = httplib::Client("127.0.0.1", server.port()).Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 500);
}

TEST(PrometheusServer, BodyErrorIs500WithTheMessage) {
  PrometheusServer server;
  ASSERT_TRUE(server.Start(0, []() -> Result<std::string> { return Error{"no counters"}; }).ok());
  auto res = httplib::Client("127.0.0.1", server.port()).Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 500);
  EXPECT_EQ(res->body, "metrics unavailable: no counters\n");
}

TEST(PrometheusServer, SecondStartIsRefused) {
  PrometheusServer server;
  ASSERT_TRUE(server.Start(0, [] { return std::string(); }).ok());
  EXPECT_EQ(server.Start(0, [] { return std::string(); }).error().message,
            "hugin: the Prometheus endpoint is already started");
}

}  // namespace
}  // namespace hugin
