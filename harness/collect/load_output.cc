#include "harness/collect/load_output.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <vector>

#include "harness/util/stats.h"

namespace hugin::harness {

std::optional<double> ParseWrkDurationUs(const std::string& text) {
  static const std::regex re(R"(^\s*([0-9]+(?:\.[0-9]+)?)(us|ms|s|m|h)\s*$)");
  std::smatch m;
  if (!std::regex_match(text, m, re)) return std::nullopt;
  const double v = std::stod(m[1]);
  const std::string unit = m[2];
  if (unit == "us") return v;
  if (unit == "ms") return v * 1e3;
  if (unit == "s") return v * 1e6;
  if (unit == "m") return v * 60e6;
  return v * 3600e6;
}

std::optional<LoadResult> ParseWrkJson(const std::string& out, std::string& error) {
  const auto pos = out.find("HARNESS_JSON ");
  if (pos == std::string::npos) {
    error = "wrk output has no HARNESS_JSON line";
    return std::nullopt;
  }
  const auto end = out.find('\n', pos);
  const std::string body = out.substr(pos + 13, end == std::string::npos ? end : end - pos - 13);
  try {
    const auto j = nlohmann::json::parse(body);
    LoadResult r;
    r.requests = j.at("requests").get<double>();
    r.duration_s = j.at("duration_us").get<double>() / 1e6;
    r.throughput_rps = r.duration_s > 0 ? r.requests / r.duration_s : 0;
    r.p50_us = j.at("p50_us").get<double>();
    r.p90_us = j.at("p90_us").get<double>();
    r.p99_us = j.at("p99_us").get<double>();
    r.errors = j.at("errors_connect").get<double>() + j.at("errors_read").get<double>() +
               j.at("errors_write").get<double>() + j.at("errors_timeout").get<double>();
    r.non_2xx = j.at("errors_status").get<double>();
    return r;
  } catch (const std::exception& e) {
    error = std::string("bad HARNESS_JSON line from wrk: ") + e.what();
    return std::nullopt;
  }
}

std::optional<LoadResult> ParseWrkText(const std::string& out, std::string& error) {
  LoadResult r;
  bool have_requests = false, have_p99 = false;
  std::istringstream in(out);
  std::string line;
  static const std::regex total_re(R"(^\s*([0-9]+) requests in ([0-9.]+\w+),)");
  static const std::regex pct_re(R"(^\s*(50|90|99)%\s+(\S+)\s*$)");
  static const std::regex errors_re(
      R"(Socket errors: connect ([0-9]+), read ([0-9]+), write ([0-9]+), timeout ([0-9]+))");
  static const std::regex non2xx_re(R"(Non-2xx or 3xx responses: ([0-9]+))");
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_search(line, m, total_re)) {
      r.requests = std::stod(m[1]);
      const auto us = ParseWrkDurationUs(m[2]);
      if (us) r.duration_s = *us / 1e6;
      have_requests = true;
    } else if (std::regex_match(line, m, pct_re)) {
      const auto us = ParseWrkDurationUs(m[2]);
      if (!us) continue;
      const std::string p = m[1];
      (p == "50" ? r.p50_us : p == "90" ? r.p90_us : r.p99_us) = *us;
      if (p == "99") have_p99 = true;
    } else if (std::regex_search(line, m, errors_re)) {
      r.errors = std::stod(m[1]) + std::stod(m[2]) + std::stod(m[3]) + std::stod(m[4]);
    } else if (std::regex_search(line, m, non2xx_re)) {
      r.non_2xx = std::stod(m[1]);
    }
  }
  if (!have_requests || !have_p99) {
    error = "wrk text output lacks the request total or the --latency distribution";
    return std::nullopt;
  }
  r.throughput_rps = r.duration_s > 0 ? r.requests / r.duration_s : 0;
  return r;
}

std::optional<LoadResult> ParseWrkOutput(const std::string& out, std::string& error) {
  std::string json_error;
  if (auto r = ParseWrkJson(out, json_error)) return r;
  auto r = ParseWrkText(out, error);
  if (!r) error = json_error + "; " + error;
  return r;
}

std::optional<LoadResult> ParseH2load(const std::string& out, const std::string& log_text,
                                      std::string& error) {
  static const std::regex finished_re(R"(finished in ([0-9.]+)(ms|s), ([0-9.]+) req/s)");
  static const std::regex requests_re(
      R"(requests: ([0-9]+) total, ([0-9]+) started, ([0-9]+) done, ([0-9]+) succeeded, ([0-9]+) failed, ([0-9]+) errored, ([0-9]+) timeout)");
  static const std::regex status_re(R"(status codes: ([0-9]+) 2xx, ([0-9]+) 3xx, ([0-9]+) 4xx, ([0-9]+) 5xx)");
  std::smatch m;
  LoadResult r;
  if (!std::regex_search(out, m, finished_re)) {
    error = "h2load output has no 'finished in' line";
    return std::nullopt;
  }
  r.duration_s = std::stod(m[1]) / (m[2] == "ms" ? 1e3 : 1.0);
  if (!std::regex_search(out, m, requests_re)) {
    error = "h2load output has no 'requests:' line";
    return std::nullopt;
  }
  r.requests = std::stod(m[3]);  // done
  const double failed = std::stod(m[5]);
  if (std::regex_search(out, m, status_re)) r.non_2xx = std::stod(m[3]) + std::stod(m[4]);
  // h2load's "failed" holds every request without a 2xx/3xx answer: 4xx/5xx answers (which the
  // request mix asks for), and the errored ones (which include the timeouts).
  r.errors = std::max(0.0, failed - r.non_2xx);
  r.throughput_rps = r.duration_s > 0 ? r.requests / r.duration_s : 0;

  std::vector<double> latencies_us;
  std::istringstream in(log_text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    double start_us = 0, elapsed_us = 0;
    int status = 0;
    if (fields >> start_us >> status >> elapsed_us) latencies_us.push_back(elapsed_us);
  }
  if (latencies_us.empty() && r.requests > 0) {
    error = "h2load --log-file is empty while requests completed";
    return std::nullopt;
  }
  r.p50_us = Percentile(latencies_us, 50);
  r.p90_us = Percentile(latencies_us, 90);
  r.p99_us = Percentile(latencies_us, 99);
  return r;
}

}  // namespace hugin::harness
