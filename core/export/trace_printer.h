// The trace printer: one line per span, as text in the Beyla launch post's
// format or as one JSON object. None of these writes a newline.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/span/span.h"

namespace hugin {

// "2023-04-19 13:49:04" for a wall-clock time in ns, in the local time zone. Remembers the last
// second it formatted: consecutive spans mostly start in the same second, and localtime_r plus
// strftime cost more than the rest of a text line. Assumes the time zone does not change.
class LocalSecondText {
 public:
  std::string_view Format(int64_t wall_ns);

 private:
  int64_t second_ = -1;
  char text_[32] = {};
  size_t size_ = 0;
};

// "2023-04-19 13:49:04 (15.22ms[689.9µs]) 200 GET /hello [::1]->[::1:8080] size:0B"
// = local wall start time, (total duration[processing duration]), status,
// method, path, [source ip]->[destination ip:port], request body size.
// Server span: peer -> local. Client span: local -> peer.
// Wire-derived strings are escaped so the result is always one printable line.
std::string FormatSpanText(const Span& span);
// The same, appended to *out; `clock` (optional) caches the time formatting.
void AppendSpanText(std::string* out, const Span& span, LocalSecondText* clock = nullptr);

// One JSON object with every field; key names are a contract with the harness:
// kind, protocol, start_ns, processing_start_ns, end_ns, wall_start_ns,
// duration_ns, processing_ns, method, path, status, request_body_bytes,
// response_body_bytes, local{ip,port}, peer{ip,port}, pid, service_name.
// Invalid UTF-8 in strings is replaced with U+FFFD.
std::string FormatSpanJson(const Span& span);
// The same, appended to *out.
void AppendSpanJson(std::string* out, const Span& span);

}  // namespace hugin
