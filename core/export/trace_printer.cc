#include "core/export/trace_printer.h"

#include <ctime>

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

// Written by hand for the span's fixed schema: building an nlohmann::json tree per span and
// dumping it cost ~40% of the agent's CPU at 18k spans/s (perf, go fixture under wrk). The tests
// parse this output back with nlohmann/json.
std::string FormatSpanJson(const Span& span) {
  std::string out;
  out.reserve(320 + span.path.size());
  auto key = [&out](const char* k) {
    out += out.empty() ? "{\"" : ",\"";
    out += k;
    out += "\":";
  };
  auto str = [&out](std::string_view v) { AppendJsonString(&out, v); };
  auto num = [&out](auto v) { out += std::to_string(v); };
  auto endpoint = [&](const Endpoint& e) {
    out += "{\"ip\":";
    str(e.ip);
    out += ",\"port\":";
    num(e.port);
    out += '}';
  };
  key("kind"), str(span.kind == SpanKind::kServer ? "server" : "client");
  key("protocol"), str(span.protocol);
  key("start_ns"), num(span.start_ns);
  key("processing_start_ns"), num(span.processing_start_ns);
  key("end_ns"), num(span.end_ns);
  key("wall_start_ns"), num(span.wall_start_ns);
  key("duration_ns"), num(span.duration_ns());
  key("processing_ns"), num(span.processing_ns());
  key("method"), str(span.method);
  key("path"), str(span.path);
  key("status"), num(span.status);
  key("request_body_bytes"), num(span.request_body_bytes);
  key("response_body_bytes"), num(span.response_body_bytes);
  key("local"), endpoint(span.local);
  key("peer"), endpoint(span.peer);
  key("pid"), num(span.pid);
  key("service_name"), str(span.service_name);
  out += '}';
  return out;
}

}  // namespace hugin
