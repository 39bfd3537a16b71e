// Serves GET /metrics on 0.0.0.0:PORT from its own thread (cpp-httplib).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "core/common/result.h"

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

  // `body` is called once per GET /metrics; its text is sent with Content-Type
  // "text/plain; version=0.0.4", its Error as a 500 "metrics unavailable: MESSAGE".
  using Body = std::function<Result<std::string>()>;

  // Binds 0.0.0.0:port (0 = any free port, for tests) and starts serving. The Error is one
  // line starting with "hugin: " saying why it could not listen (Error::code: the errno).
  Status Start(uint16_t port, Body body);
  // Start in two steps: Bind (before the parsing process drops its privileges, so a port
  // below 1024 works), then Serve (starts the thread). Same errors as Start.
  Status Bind(uint16_t port, Body body);
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
