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
  // httplib's default sets SO_REUSEPORT, which would let us bind a port another
  // process already listens on; SO_REUSEADDR alone still fails on a live
  // listener but allows a quick restart over TIME_WAIT.
  server->set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  server->Get("/metrics", [body = std::move(body)](const httplib::Request&, httplib::Response& res) {
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
