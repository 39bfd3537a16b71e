#include "harness/run/prometheus.h"

#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

namespace hugin::harness {

std::string PrometheusConfig(const std::string& target, int scrape_interval_s) {
  return "global:\n"
         "  scrape_interval: " + std::to_string(scrape_interval_s) + "s\n"
         "  evaluation_interval: " + std::to_string(scrape_interval_s) + "s\n"
         "scrape_configs:\n"
         "  - job_name: hugin\n"
         "    static_configs:\n"
         "      - targets: ['" + target + "']\n";
}

std::optional<double> ParseQueryResponse(const std::string& body, std::string& error) {
  try {
    const auto j = nlohmann::json::parse(body);
    if (j.value("status", "") != "success") {
      error = "prometheus query failed: " + j.value("error", body.substr(0, 200));
      return std::nullopt;
    }
    const auto& data = j.at("data");
    const std::string type = data.at("resultType");
    double sum = 0;
    if (type == "scalar") return std::stod(data.at("result").at(1).get<std::string>());
    if (type != "vector") {
      error = "unexpected prometheus resultType " + type;
      return std::nullopt;
    }
    if (data.at("result").empty()) {
      error = "prometheus returned no series";
      return std::nullopt;
    }
    for (const auto& series : data.at("result"))
      sum += std::stod(series.at("value").at(1).get<std::string>());
    return sum;
  } catch (const std::exception& e) {
    error = std::string("cannot parse prometheus answer: ") + e.what();
    return std::nullopt;
  }
}

PrometheusServer::PrometheusServer(const std::string& dir, int port, const std::string& target)
    : port_(port) {
  std::filesystem::create_directories(dir + "/data");
  const std::string config = dir + "/prometheus.yml";
  std::ofstream(config) << PrometheusConfig(target, 1);
  process_ = ChildProcess::Start(
      {"prometheus", "--config.file=" + config, "--storage.tsdb.path=" + dir + "/data",
       "--web.listen-address=127.0.0.1:" + std::to_string(port), "--log.level=warn"},
      dir + "/prometheus.out", dir + "/prometheus.err");
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(1);
  for (int i = 0; i < 150; ++i) {
    auto res = client.Get("/-/ready");
    if (res && res->status == 200) return;
    if (!process_.Running()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  throw std::runtime_error("prometheus did not become ready on port " + std::to_string(port) +
                           " (see " + dir + "/prometheus.err)");
}

PrometheusServer::~PrometheusServer() { process_.Stop(); }

std::optional<double> PrometheusServer::Query(const std::string& promql, std::string& error,
                                              double unix_time) const {
  httplib::Client client("127.0.0.1", port_);
  client.set_read_timeout(5);
  httplib::Params params{{"query", promql}};
  if (unix_time > 0) params.emplace("time", std::to_string(unix_time));
  auto res = client.Get("/api/v1/query", params, httplib::Headers{});
  if (!res) {
    error = "prometheus unreachable";
    return std::nullopt;
  }
  return ParseQueryResponse(res->body, error);
}

}  // namespace hugin::harness
