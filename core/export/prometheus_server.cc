#include "core/export/prometheus_server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace hugin {

PrometheusServer::PrometheusServer() = default;

PrometheusServer::~PrometheusServer() { Stop(); }

std::optional<std::string> PrometheusServer::Start(uint16_t port,
                                                   std::function<std::string()> body) {
  if (auto err = Bind(port, std::move(body))) return err;
  Serve();
  return std::nullopt;
}

std::optional<std::string> PrometheusServer::Bind(uint16_t port,
                                                  std::function<std::string()> body) {
  if (server_) return "hugin: the Prometheus endpoint is already started";
  auto server = std::make_unique<httplib::Server>();
  // httplib's default sets SO_REUSEPORT, which would let us bind a port another
  // process already listens on; SO_REUSEADDR alone still fails on a live
  // listener but allows a quick restart over TIME_WAIT.
  server->set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  server->Get("/metrics", [body = std::move(body)](const httplib::Request&, httplib::Response& res) {
    try {
      res.set_content(body(), "text/plain; version=0.0.4");
    } catch (const std::exception& e) {
      res.status = 500;
      res.set_content(std::string("metrics unavailable: ") + e.what() + "\n", "text/plain");
    }
  });

  errno = 0;
  int bound = port == 0 ? server->bind_to_any_port("0.0.0.0") : (server->bind_to_port("0.0.0.0", port) ? port : -1);
  if (bound <= 0) {
    int err = errno;
    return "hugin: cannot serve Prometheus metrics on 0.0.0.0:" + std::to_string(port) + ": " +
           (err != 0 ? std::strerror(err) : "bind failed");
  }
  port_ = static_cast<uint16_t>(bound);
  server_ = std::move(server);
  return std::nullopt;
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
