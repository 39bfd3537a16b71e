// Shared by the metrics tests: a server span with the fields the RED series are keyed by.
#pragma once

#include <cstdint>
#include <string>

#include "core/span/span.h"

namespace hugin::testing_metrics {

inline Span ServerSpan(const std::string& method, int status, uint64_t duration_ns,
                       uint16_t port = 8080) {
  Span s;
  s.kind = SpanKind::kServer;
  s.start_ns = 1'000'000;
  s.processing_start_ns = s.start_ns;
  s.end_ns = s.start_ns + duration_ns;
  s.method = method;
  s.path = "/hello";
  s.status = status;
  s.local = {"127.0.0.1", port};
  s.peer = {"127.0.0.1", 50000};
  s.service_name = "testserver";
  return s;
}

}  // namespace hugin::testing_metrics
