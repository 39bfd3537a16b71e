// Serves GET /metrics on 0.0.0.0:PORT from its own thread (cpp-httplib).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

namespace httplib {
class Server;
}

namespace hugin {

class PrometheusServer {
 public:
  PrometheusServer();
  ~PrometheusServer();  // Stop()s
  PrometheusServer(const PrometheusServer&) = delete;
  PrometheusServer& operator=(const PrometheusServer&) = delete;

  // Binds 0.0.0.0:port (0 = any free port, for tests) and starts serving;
  // `body` is called once per GET /metrics and its result is sent with
  // Content-Type "text/plain; version=0.0.4". Returns std::nullopt on success,
  // or one line starting with "hugin: " saying why it could not listen.
  std::optional<std::string> Start(uint16_t port, std::function<std::string()> body);
  // Start in two steps: Bind (before the parsing process drops its privileges, so a port
  // below 1024 works), then Serve (starts the thread). Same errors as Start.
  std::optional<std::string> Bind(uint16_t port, std::function<std::string()> body);
  void Serve();

  // The bound port, valid after a successful Start().
  uint16_t port() const { return port_; }

  // Stops serving and joins the thread. Safe to call twice or without Start().
  void Stop();

 private:
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  uint16_t port_ = 0;
};

}  // namespace hugin
