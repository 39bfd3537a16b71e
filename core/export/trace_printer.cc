#include "core/export/trace_printer.h"

#include <ctime>

#include <nlohmann/json.hpp>

#include "core/export/duration_format.h"
#include "core/export/text_escaping.h"

namespace hugin {
namespace {

std::string LocalWallTime(int64_t wall_ns) {
  time_t seconds = static_cast<time_t>(wall_ns > 0 ? wall_ns / 1000000000 : 0);
  struct tm tm_local {};
  if (localtime_r(&seconds, &tm_local) == nullptr) return "0000-00-00 00:00:00";
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm_local);
  return buf;
}

}  // namespace

std::string FormatSpanText(const Span& span) {
  const bool server = span.kind == SpanKind::kServer;
  const Endpoint& source = server ? span.peer : span.local;
  const Endpoint& destination = server ? span.local : span.peer;
  std::string line = LocalWallTime(span.wall_start_ns);
  line += " (" + FormatDuration(span.duration_ns()) + "[" + FormatDuration(span.processing_ns()) + "]) ";
  line += std::to_string(span.status) + " ";
  line += EscapeForLine(span.method) + " ";
  line += EscapeForLine(span.path) + " ";
  line += "[" + EscapeForLine(source.ip) + "]->[" + EscapeForLine(destination.ip) + ":" +
          std::to_string(destination.port) + "]";
  line += " size:" + std::to_string(span.request_body_bytes) + "B";
  return line;
}

std::string FormatSpanJson(const Span& span) {
  nlohmann::ordered_json j;
  j["kind"] = span.kind == SpanKind::kServer ? "server" : "client";
  j["protocol"] = span.protocol;
  j["start_ns"] = span.start_ns;
  j["processing_start_ns"] = span.processing_start_ns;
  j["end_ns"] = span.end_ns;
  j["wall_start_ns"] = span.wall_start_ns;
  j["duration_ns"] = span.duration_ns();
  j["processing_ns"] = span.processing_ns();
  j["method"] = span.method;
  j["path"] = span.path;
  j["status"] = span.status;
  j["request_body_bytes"] = span.request_body_bytes;
  j["response_body_bytes"] = span.response_body_bytes;
  j["local"] = {{"ip", span.local.ip}, {"port", span.local.port}};
  j["peer"] = {{"ip", span.peer.ip}, {"port", span.peer.port}};
  j["pid"] = span.pid;
  j["service_name"] = span.service_name;
  // replace: bytes from the wire may be invalid UTF-8; never throw on them.
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace hugin
