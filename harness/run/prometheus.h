// A real Prometheus (Debian's /usr/bin/prometheus) on loopback that scrapes Hugin during
// instrumented runs; the report compares what it stored with the ground truth.
#pragma once

#include <optional>
#include <string>

#include "harness/util/process.h"

namespace hugin::harness {

// The prometheus.yml the harness generates: one job scraping `target` (host:port) every
// `scrape_interval_s` seconds.
std::string PrometheusConfig(const std::string& target, int scrape_interval_s);

// Sum of the values in a /api/v1/query answer (resultType vector or scalar); nullopt on error.
std::optional<double> ParseQueryResponse(const std::string& body, std::string& error);

class PrometheusServer {
 public:
  // Writes the config under `dir`, starts prometheus on 127.0.0.1:`port`, waits for /-/ready.
  // Throws std::runtime_error when it does not come up.
  PrometheusServer(const std::string& dir, int port, const std::string& target);
  ~PrometheusServer();

  // Instant query; `unix_time` > 0 evaluates at that time instead of now.
  std::optional<double> Query(const std::string& promql, std::string& error,
                              double unix_time = 0) const;
  int port() const { return port_; }

 private:
  int port_;
  ChildProcess process_;
};

}  // namespace hugin::harness
