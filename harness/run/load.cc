#include "harness/run/load.h"

#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "harness/util/process.h"

namespace hugin::harness {
namespace {

// wrk's done() hook prints the summary as one JSON line the harness parses (percentiles come
// from wrk's own HdrHistogram, in microseconds).
constexpr const char* kWrkDoneHook = R"LUA(
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('HARNESS_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors_connect":%d,"errors_read":%d,"errors_write":%d,"errors_status":%d,' ..
    '"errors_timeout":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"mean_us":%.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.mean))
end
)LUA";

std::string Url(const LoadTarget& t, const std::string& path) {
  return t.scheme + "://127.0.0.1:" + std::to_string(t.port) + path;
}

std::string FormatDuration(double seconds) {
  std::ostringstream s;
  s << seconds << "s";
  return s.str();
}

}  // namespace

std::string GrpcEchoRequestBody(const std::string& payload) {
  // EchoRequest { string payload = 1; }: tag 0x0a, varint length, bytes.
  std::string message;
  message += '\x0a';
  size_t n = payload.size();
  do {
    unsigned char byte = n & 0x7f;
    n >>= 7;
    if (n) byte |= 0x80;
    message += static_cast<char>(byte);
  } while (n);
  message += payload;
  std::string frame(5, '\0');  // compressed flag 0, 4-byte big-endian length
  const uint32_t len = static_cast<uint32_t>(message.size());
  frame[1] = static_cast<char>(len >> 24);
  frame[2] = static_cast<char>(len >> 16);
  frame[3] = static_cast<char>(len >> 8);
  frame[4] = static_cast<char>(len);
  return frame + message;
}

void WriteLoadFiles(const Scenario& s, const std::string& dir) {
  std::ofstream lua(dir + "/load.lua");
  lua << "wrk.method = \"" << s.load.method << "\"\n";
  if (s.load.body_bytes > 0) {
    lua << "wrk.body = string.rep(\"x\", " << s.load.body_bytes << ")\n";
    lua << "wrk.headers[\"Content-Type\"] = \"application/octet-stream\"\n";
  }
  lua << kWrkDoneHook;
  if (s.fixture.protocol == "grpc") {
    std::ofstream(dir + "/body.bin", std::ios::binary) << GrpcEchoRequestBody("hello hugin");
  } else if (s.load.body_bytes > 0) {
    std::ofstream(dir + "/body.bin", std::ios::binary) << std::string(s.load.body_bytes, 'x');
  }
}

std::vector<std::string> LoadCommand(const Scenario& s, const LoadTarget& target, int rate,
                                     const std::string& dir) {
  const std::string path = target.path.empty() ? s.load.path : target.path;
  const LoadSpec& l = s.load;
  if (l.tool == "wrk") {
    return {"wrk", "-t", std::to_string(l.threads), "-c", std::to_string(l.connections),
            "-d", FormatDuration(l.duration_s), "--latency", "-s", dir + "/load.lua",
            Url(target, path)};
  }
  // h2load: --rps is per client, so the total rate is spread over the connections.
  std::ostringstream per_client;
  per_client << static_cast<double>(rate) / l.connections;
  std::vector<std::string> cmd{"h2load", "-c", std::to_string(l.connections),
                               "--rps", per_client.str(), "-D", FormatDuration(l.duration_s),
                               "--log-file", dir + "/h2load.log"};
  if (s.fixture.protocol == "grpc") {
    cmd.insert(cmd.end(), {"-d", dir + "/body.bin", "-H", "content-type: application/grpc",
                           "-H", "te: trailers"});
  } else {
    cmd.push_back("--h1");
    if (l.body_bytes > 0) cmd.insert(cmd.end(), {"-d", dir + "/body.bin"});
  }
  cmd.push_back(Url(target, path));
  return cmd;
}

LoadResult RunLoad(const Scenario& s, const LoadTarget& target, int rate, const std::string& dir) {
  const auto cmd = LoadCommand(s, target, rate, dir);
  const auto timeout = std::chrono::milliseconds(static_cast<long>(s.load.duration_s * 1000) + 60000);
  int code = 0;
  double tool_cpu_us = 0;
  {
    ChildProcess tool = ChildProcess::Start(cmd, dir + "/load.out", dir + "/load.err");
    auto r = tool.Wait(timeout);
    code = r ? *r : tool.Stop();
    tool_cpu_us = static_cast<double>(tool.cpu_us().value_or(0));
  }
  const std::string out = ReadWholeFile(dir + "/load.out");
  std::string error;
  std::optional<LoadResult> result;
  if (s.load.tool == "wrk")
    result = ParseWrkOutput(out, error);
  else
    result = ParseH2load(out, ReadWholeFile(dir + "/h2load.log"), error);
  if (code != 0 || !result) {
    throw std::runtime_error(cmd[0] + " failed (exit " + std::to_string(code) + "): " + error +
                             "; see " + dir + "/load.out and load.err");
  }
  result->tool_cpu_us = tool_cpu_us;
  return *result;
}

}  // namespace hugin::harness
