#include "core/export/trace_printer.h"

#include <charconv>
#include <ctime>

#include "core/export/duration_format.h"
#include "core/export/text_escaping.h"

namespace hugin {
namespace {

template <typename T>
void AppendNumber(std::string* out, T v) {
  char buf[24];
  out->append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
}

// ,"key":number  (key_prefix is the literal ,"key": part)
template <typename T>
void NumberField(std::string* out, std::string_view key_prefix, T v) {
  out->append(key_prefix);
  AppendNumber(out, v);
}

void StringField(std::string* out, std::string_view key_prefix, std::string_view v) {
  out->append(key_prefix);
  AppendJsonString(out, v);
}

void EndpointField(std::string* out, std::string_view key_prefix, const Endpoint& e) {
  out->append(key_prefix);
  StringField(out, "{\"ip\":", e.ip);
  NumberField(out, ",\"port\":", e.port);
  out->push_back('}');
}

}  // namespace

std::string_view LocalSecondText::Format(int64_t wall_ns) {
  const int64_t second = wall_ns > 0 ? wall_ns / 1000000000 : 0;
  if (second != second_) {
    time_t t = static_cast<time_t>(second);
    struct tm tm_local {};
    if (localtime_r(&t, &tm_local) == nullptr) {
      size_ = std::string_view("0000-00-00 00:00:00").copy(text_, sizeof text_);
    } else {
      size_ = std::strftime(text_, sizeof text_, "%Y-%m-%d %H:%M:%S", &tm_local);
    }
    second_ = second;
  }
  return std::string_view(text_, size_);
}

void AppendSpanText(std::string* out, const Span& span, LocalSecondText* clock) {
  const bool server = span.kind == SpanKind::kServer;
  const Endpoint& source = server ? span.peer : span.local;
  const Endpoint& destination = server ? span.local : span.peer;
  LocalSecondText own;
  out->append((clock ? clock : &own)->Format(span.wall_start_ns));
  out->append(" (");
  AppendDuration(out, span.duration_ns());
  out->push_back('[');
  AppendDuration(out, span.processing_ns());
  out->append("]) ");
  AppendNumber(out, span.status);
  out->push_back(' ');
  AppendEscapedForLine(out, span.method);
  out->push_back(' ');
  AppendEscapedForLine(out, span.path);
  out->append(" [");
  AppendEscapedForLine(out, source.ip);
  out->append("]->[");
  AppendEscapedForLine(out, destination.ip);
  out->push_back(':');
  AppendNumber(out, destination.port);
  out->append("] size:");
  AppendNumber(out, span.request_body_bytes);
  out->push_back('B');
}

std::string FormatSpanText(const Span& span) {
  std::string line;
  AppendSpanText(&line, span);
  return line;
}

// Written by hand for the span's fixed schema: building an nlohmann::json tree per span and
// dumping it cost ~40% of the agent's CPU at 18k spans/s (perf, go fixture under wrk). The tests
// parse this output back with nlohmann/json.
void AppendSpanJson(std::string* out, const Span& span) {
  StringField(out, "{\"kind\":", span.kind == SpanKind::kServer ? "server" : "client");
  StringField(out, ",\"protocol\":", span.protocol);
  NumberField(out, ",\"start_ns\":", span.start_ns);
  NumberField(out, ",\"processing_start_ns\":", span.processing_start_ns);
  NumberField(out, ",\"end_ns\":", span.end_ns);
  NumberField(out, ",\"wall_start_ns\":", span.wall_start_ns);
  NumberField(out, ",\"duration_ns\":", span.duration_ns());
  NumberField(out, ",\"processing_ns\":", span.processing_ns());
  StringField(out, ",\"method\":", span.method);
  StringField(out, ",\"path\":", span.path);
  NumberField(out, ",\"status\":", span.status);
  NumberField(out, ",\"request_body_bytes\":", span.request_body_bytes);
  NumberField(out, ",\"response_body_bytes\":", span.response_body_bytes);
  EndpointField(out, ",\"local\":", span.local);
  EndpointField(out, ",\"peer\":", span.peer);
  NumberField(out, ",\"pid\":", span.pid);
  StringField(out, ",\"service_name\":", span.service_name);
  out->push_back('}');
}

std::string FormatSpanJson(const Span& span) {
  std::string out;
  out.reserve(320 + span.path.size());
  AppendSpanJson(&out, span);
  return out;
}

}  // namespace hugin
