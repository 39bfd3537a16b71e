#include "core/export/trace_printer.h"

#include <charconv>
#include <cstring>
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
  if (span.protocol == "grpc") {  // "<grpc status> grpc <path>": the method is always POST
    AppendNumber(out, span.grpc_status);
    out->append(" grpc ");
  } else {
    AppendNumber(out, span.status);
    out->push_back(' ');
    AppendEscapedForLine(out, span.method);
    out->push_back(' ');
  }
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
// dumping it cost ~40% of the agent's CPU at 18k spans/s (perf, go fixture under wrk). Then
// through a pointer into room made once for the worst case: with a std::string append per key,
// number and string (~40 a span, each an out-of-line call with a capacity check), the appends
// cost more than the formatting (agent_pipeline_benchmark). The tests parse this output back with
// nlohmann/json.
void AppendSpanJson(std::string* out, const Span& span) {
  // Keys and punctuation are 266 bytes (+28 for HTTP/2's two keys), the 14 numbers at most 20
  // characters each: 576.
  constexpr size_t kFixedMaxBytes = 640;
  const size_t old = out->size();
  out->resize(old + kFixedMaxBytes + JsonStringMaxBytes(span.protocol.size()) +
              JsonStringMaxBytes(span.method.size()) + JsonStringMaxBytes(span.path.size()) +
              JsonStringMaxBytes(span.local.ip.size()) + JsonStringMaxBytes(span.peer.ip.size()) +
              JsonStringMaxBytes(span.service_name.size()));
  char* p = out->data() + old;
  auto lit = [&p](std::string_view s) {
    std::memcpy(p, s.data(), s.size());
    p += s.size();
  };
  auto num = [&p](auto v) { p = std::to_chars(p, p + 24, v).ptr; };
  auto str = [&p](std::string_view s) { p = WriteJsonString(p, s); };
  lit(span.kind == SpanKind::kServer ? "{\"kind\":\"server\"" : "{\"kind\":\"client\"");
  lit(",\"protocol\":"), str(span.protocol);
  lit(",\"start_ns\":"), num(span.start_ns);
  lit(",\"processing_start_ns\":"), num(span.processing_start_ns);
  lit(",\"end_ns\":"), num(span.end_ns);
  lit(",\"wall_start_ns\":"), num(span.wall_start_ns);
  lit(",\"duration_ns\":"), num(span.duration_ns());
  lit(",\"processing_ns\":"), num(span.processing_ns());
  lit(",\"method\":"), str(span.method);
  lit(",\"path\":"), str(span.path);
  lit(",\"status\":"), num(span.status);
  lit(",\"request_body_bytes\":"), num(span.request_body_bytes);
  lit(",\"response_body_bytes\":"), num(span.response_body_bytes);
  if (span.protocol != "http") {  // HTTP/2 and gRPC only: HTTP/1 lines keep their schema
    lit(",\"stream_id\":"), num(span.stream_id);
    lit(",\"grpc_status\":"), num(span.grpc_status);
  }
  if (span.tls) lit(",\"tls\":true");  // plaintext lines keep their schema
  lit(",\"local\":{\"ip\":"), str(span.local.ip);
  lit(",\"port\":"), num(span.local.port);
  lit("},\"peer\":{\"ip\":"), str(span.peer.ip);
  lit(",\"port\":"), num(span.peer.port);
  lit("},\"pid\":"), num(span.pid);
  lit(",\"service_name\":"), str(span.service_name);
  lit("}");
  out->resize(p - out->data());
}

std::string FormatSpanJson(const Span& span) {
  std::string out;
  out.reserve(320 + span.path.size());
  AppendSpanJson(&out, span);
  return out;
}

}  // namespace hugin
