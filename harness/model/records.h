// The two streams the harness compares: the fixture's ground-truth access log and Hugin's JSON
// spans (one JSON object per line each). Times are CLOCK_MONOTONIC nanoseconds in both.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hugin::harness {

struct GroundTruthRecord {
  std::string proto;
  std::string method;
  std::string path;
  int status = 0;
  int64_t req_bytes = 0;
  int64_t resp_bytes = 0;
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  int peer_port = 0;
  int pid = 0;
  // The fixture could not deliver the response (the client went away mid-answer, e.g. a load
  // tool closing its connections at the end of a run): no complete exchange crossed the wire.
  bool aborted = false;
};

struct SpanRecord {
  std::string kind;  // server | client
  std::string protocol;  // http | http2 | grpc
  std::string method;
  std::string path;
  int status = 0;
  int grpc_status = -1;  // gRPC spans: the status from the trailers (-1 unknown)
  int64_t req_bytes = 0;
  int64_t resp_bytes = 0;
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  int64_t duration_ns = 0;
  // end - the service's first read of the request (duration minus queue time); absent in spans
  // from agents that do not write it.
  std::optional<int64_t> processing_ns;
  int local_port = 0;
  int peer_port = 0;
  int pid = 0;
};

// Lines that do not parse are counted, not fatal: a truncated last line after a kill is normal.
template <typename Record>
struct ParsedLog {
  std::vector<Record> records;
  size_t bad_lines = 0;
  std::string first_error;
};

// "127.0.0.1:46278", "[::1]:8080" -> port; -1 when there is none.
int PortOfAddress(const std::string& address);

bool ParseGroundTruthLine(const std::string& line, GroundTruthRecord& out, std::string& error);
bool ParseSpanLine(const std::string& line, SpanRecord& out, std::string& error);

ParsedLog<GroundTruthRecord> ReadGroundTruthFile(const std::string& path);
ParsedLog<SpanRecord> ReadSpanFile(const std::string& path);

}  // namespace hugin::harness
