#include "core/export/prometheus_server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace hugin {

PrometheusServer::PrometheusServer() = default;

PrometheusServer::~PrometheusServer() { Stop(); }

Status PrometheusServer::Start(uint16_t port, Body body) {
  if (Status bound = Bind(port, std::move(body)); !bound.ok()) return bound;
  Serve();
  return Ok{};
}

Status PrometheusServer::Bind(uint16_t port, Body body) {
  if (server_) return Error{"hugin: the Prometheus endpoint is already started"};
  auto server = std::make_unique<httplib::Server>();
  // One request per connection. Between two requests on a kept-alive connection httplib waits
  // in a loop of 10 ms polls and 1 ms sleeps (its keep_alive()): Prometheus keeps its
  // connection between scrapes, and the parsing process then woke ~150 times a second for
  // nothing (4.8 ms of CPU a second with one keep-alive scraper every second, against 0.2 ms
  // closing: tests/e2e and the harness's fixed-rate runs, results/round8). A new loopback
  // connection per scrape costs far less.
  server->set_keep_alive_max_count(1);
  // httplib's default sets SO_REUSEPORT, which would let us bind a port another
  // process already listens on; SO_REUSEADDR alone still fails on a live
  // listener but allows a quick restart over TIME_WAIT.
  server->set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  server->Get("/metrics", [body = std::move(body)](const httplib::Request& req, httplib::Response& res) {
    // Sent uncompressed, whatever the scraper accepts. Debian's cpp-httplib is built with zlib
    // and brotli and compresses any text answer the client will take: brotli at its default
    // quality (11) cost ~15 ms of the agent's CPU per scrape of a 47 KB exposition, gzip a
    // fraction of that, against ~0.24 ms for the scrape itself (curl every 0.2 s beside a Go
    // service at 7000 req/s: 11.6 µs of agent CPU per request with `curl --compressed`, 0.22
    // after this change). Compression happens after this handler, when the answer is written,
    // and reads the request's Accept-Encoding then: dropping it here is the one switch this
    // build offers. The Request is httplib's own non-const object, handed over as const.
    const_cast<httplib::Request&>(req).headers.erase("Accept-Encoding");
    // Failures come back as an Error. The catch is a backstop for what the standard library
    // throws (std::bad_alloc...): it must not unwind into httplib's worker thread.
    try {
      Result<std::string> text = body();
      if (text.ok()) {
        res.set_content(std::move(text).value(), "text/plain; version=0.0.4");
      } else {
        res.status = 500;
        res.set_content("metrics unavailable: " + text.error().message + "\n", "text/plain");
      }
    } catch (const std::exception& e) {
      res.status = 500;
      res.set_content(std::string("metrics unavailable: ") + e.what() + "\n", "text/plain");
    }
  });

  errno = 0;
  int bound = port == 0 ? server->bind_to_any_port("0.0.0.0") : (server->bind_to_port("0.0.0.0", port) ? port : -1);
  if (bound <= 0) {
    int err = errno;
    return Error{"hugin: cannot serve Prometheus metrics on 0.0.0.0:" + std::to_string(port) + ": " +
                     (err != 0 ? std::strerror(err) : "bind failed"),
                 err};
  }
  port_ = static_cast<uint16_t>(bound);
  server_ = std::move(server);
  return Ok{};
}

void PrometheusServer::Serve() {
  if (!server_ || thread_.joinable()) return;
  httplib::Server* raw = server_.get();
  thread_ = std::thread([raw] { raw->listen_after_bind(); });
  // Wait until the accept loop runs: a stop() issued before that is lost.
  for (int i = 0; i < 5000 && !raw->is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

void PrometheusServer::Stop() {
  if (!server_) return;
  server_->stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
  port_ = 0;
}

}  // namespace hugin
