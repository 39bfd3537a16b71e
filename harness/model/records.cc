#include "harness/model/records.h"

#include <fstream>
#include <nlohmann/json.hpp>

namespace hugin::harness {
namespace {

using nlohmann::json;

template <typename T>
T Field(const json& j, const char* key) {
  if (!j.contains(key)) throw std::runtime_error(std::string("missing field '") + key + "'");
  return j.at(key).get<T>();
}

template <typename Record, typename LineParser>
ParsedLog<Record> ReadLines(const std::string& path, LineParser parse,
                            bool (*skip)(const std::string&) = nullptr) {
  ParsedLog<Record> log;
  std::ifstream in(path);
  if (!in) {
    log.first_error = path + ": cannot open";
    return log;
  }
  std::string line;
  size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line[0] != '{') continue;  // agents may log other lines
    if (skip && skip(line)) continue;
    Record record;
    std::string error;
    if (parse(line, record, error)) {
      log.records.push_back(std::move(record));
    } else {
      if (log.bad_lines++ == 0) log.first_error = path + ":" + std::to_string(number) + ": " + error;
    }
  }
  return log;
}

}  // namespace

int PortOfAddress(const std::string& address) {
  const auto colon = address.rfind(':');
  if (colon == std::string::npos || colon + 1 >= address.size()) return -1;
  try {
    size_t used = 0;
    const int port = std::stoi(address.substr(colon + 1), &used);
    if (used != address.size() - colon - 1 || port < 0 || port > 65535) return -1;
    return port;
  } catch (const std::exception&) {
    return -1;
  }
}

bool ParseGroundTruthLine(const std::string& line, GroundTruthRecord& out, std::string& error) {
  try {
    const json j = json::parse(line);
    out.proto = j.value("proto", "");
    out.method = Field<std::string>(j, "method");
    out.path = Field<std::string>(j, "path");
    out.status = Field<int>(j, "status");
    out.req_bytes = Field<int64_t>(j, "req_bytes");
    out.resp_bytes = Field<int64_t>(j, "resp_bytes");
    out.start_ns = Field<int64_t>(j, "start_ns");
    out.end_ns = Field<int64_t>(j, "end_ns");
    out.peer_port = PortOfAddress(Field<std::string>(j, "peer"));
    out.pid = j.value("pid", 0);
    out.aborted = j.value("aborted", false);
    if (out.end_ns < out.start_ns) throw std::runtime_error("end_ns before start_ns");
    return true;
  } catch (const std::exception& e) {
    error = e.what();
    return false;
  }
}

bool ParseSpanLine(const std::string& line, SpanRecord& out, std::string& error) {
  try {
    const json j = json::parse(line);
    out.kind = Field<std::string>(j, "kind");
    out.protocol = j.value("protocol", "http");
    out.method = j.value("method", "");
    out.path = j.value("path", "");
    out.status = j.value("status", 0);
    out.grpc_status = j.value("grpc_status", -1);
    out.req_bytes = j.value("request_body_bytes", int64_t{0});
    out.resp_bytes = j.value("response_body_bytes", int64_t{0});
    out.start_ns = Field<int64_t>(j, "start_ns");
    out.end_ns = Field<int64_t>(j, "end_ns");
    out.duration_ns = j.value("duration_ns", out.end_ns - out.start_ns);
    out.processing_ns = j.contains("processing_ns")
                            ? std::optional<int64_t>(j.at("processing_ns").get<int64_t>())
                            : std::nullopt;
    out.local_port = Field<int>(Field<json>(j, "local"), "port");
    out.peer_port = Field<int>(Field<json>(j, "peer"), "port");
    out.pid = j.value("pid", 0);
    return true;
  } catch (const std::exception& e) {
    error = e.what();
    return false;
  }
}

ParsedLog<GroundTruthRecord> ReadGroundTruthFile(const std::string& path) {
  return ReadLines<GroundTruthRecord>(path, ParseGroundTruthLine);
}

ParsedLog<SpanRecord> ReadSpanFile(const std::string& path) {
  // Loss and gap reports share the stream (model/loss_reports.h): they start with a "type" key.
  return ReadLines<SpanRecord>(path, ParseSpanLine, [](const std::string& line) {
    return line.rfind("{\"type\":", 0) == 0;
  });
}

}  // namespace hugin::harness
