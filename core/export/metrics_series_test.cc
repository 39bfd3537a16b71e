// Metrics keys its series by interned ids on the hot path (metrics.h): these check that the ids
// never merge two label sets, and that method normalisation still bounds the cardinality.
#include <gtest/gtest.h>

#include <string>

#include "core/export/metrics.h"

namespace hugin {
namespace {

Span SpanOf(SpanKind kind, const std::string& method, int status, const std::string& service,
            uint16_t port) {
  Span s;
  s.kind = kind;
  s.start_ns = 1000;
  s.processing_start_ns = 1000;
  s.end_ns = 2000;
  s.method = method;
  s.status = status;
  s.service_name = service;
  s.local = {"127.0.0.1", kind == SpanKind::kServer ? port : uint16_t(50000)};
  s.peer = {"127.0.0.1", kind == SpanKind::kServer ? uint16_t(50000) : port};
  return s;
}

// The _count sample of one server duration series, or -1 when the series is not exposed.
long CountOf(const std::string& text, const char* family, const std::string& method, int status,
             const std::string& service, uint16_t port) {
  const std::string prefix = std::string(family) + "_count{http_request_method=\"" + method +
                             "\",http_response_status_code=\"" + std::to_string(status) +
                             "\",service_name=\"" + service + "\",server_port=\"" +
                             std::to_string(port) + "\"} ";
  size_t pos = text.find(prefix);
  if (pos == std::string::npos) return -1;
  return std::stol(text.substr(pos + prefix.size()));
}

size_t Occurrences(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1))
    ++n;
  return n;
}

constexpr const char* kServer = "http_server_request_duration_seconds";
constexpr const char* kClient = "http_client_request_duration_seconds";

TEST(MetricsSeries, ManyDistinctLabelValuesStayDistinctSeries) {
  Metrics m;
  // Round robin, so consecutive spans never share a label set; series i gets i % 4 + 1 spans.
  for (int round = 0; round < 4; round++) {
    for (int i = 0; i < 300; i++) {
      if (round > i % 4) continue;
      m.Observe(SpanOf(SpanKind::kServer, "GET", 200 + i % 3, "svc" + std::to_string(i),
                       uint16_t(8000 + i % 5)));
    }
  }
  const std::string text = m.Expose(AgentCounters{});
  for (int i = 0; i < 300; i++) {
    EXPECT_EQ(CountOf(text, kServer, "GET", 200 + i % 3, "svc" + std::to_string(i), 8000 + i % 5),
              i % 4 + 1)
        << i;
  }
  EXPECT_EQ(Occurrences(text, std::string(kServer) + "_count{"), 300u);
}

TEST(MetricsSeries, EveryLabelTellsSeriesApart) {
  Metrics m;
  const Span base = SpanOf(SpanKind::kServer, "GET", 200, "a", 8080);
  Span other_method = base, other_status = base, other_service = base, other_port = base;
  other_method.method = "POST";
  other_status.status = 201;
  other_service.service_name = "b";
  other_port.local.port = 8081;
  Span client = SpanOf(SpanKind::kClient, "GET", 200, "a", 8080);
  for (int i = 0; i < 3; i++) {  // interleaved: A B A B ...
    for (const Span* s : std::initializer_list<const Span*>{
             &base, &other_method, &other_status, &other_service, &other_port}) {
      m.Observe(*s);
    }
  }
  m.Observe(client);
  const std::string text = m.Expose(AgentCounters{});
  EXPECT_EQ(CountOf(text, kServer, "GET", 200, "a", 8080), 3);
  EXPECT_EQ(CountOf(text, kServer, "POST", 200, "a", 8080), 3);
  EXPECT_EQ(CountOf(text, kServer, "GET", 201, "a", 8080), 3);
  EXPECT_EQ(CountOf(text, kServer, "GET", 200, "b", 8080), 3);
  EXPECT_EQ(CountOf(text, kServer, "GET", 200, "a", 8081), 3);
  EXPECT_EQ(CountOf(text, kClient, "GET", 200, "a", 8080), 1);
  EXPECT_EQ(Occurrences(text, "_count{"), 5u * 3 + 1 * 3);  // duration + 2 body families each
}

TEST(MetricsSeries, UnknownMethodsShareOneOtherSeries) {
  Metrics m;
  for (int i = 0; i < 1000; i++) {
    m.Observe(SpanOf(SpanKind::kServer, "M" + std::to_string(i), 200, "svc", 8080));
  }
  for (const char* near_miss : {"get", "GETX", "GE", "", "POST ", "\xFFGET"}) {
    m.Observe(SpanOf(SpanKind::kServer, near_miss, 200, "svc", 8080));
  }
  for (const char* known : {"CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT",
                            "TRACE"}) {
    m.Observe(SpanOf(SpanKind::kServer, known, 200, "svc", 8080));
    EXPECT_EQ(NormalizeMethodLabel(known), known);
    EXPECT_NE(MethodLabelId(known), kOtherMethodId);
  }
  const std::string text = m.Expose(AgentCounters{});
  EXPECT_EQ(CountOf(text, kServer, "_OTHER", 200, "svc", 8080), 1006);
  EXPECT_EQ(CountOf(text, kServer, "GET", 200, "svc", 8080), 1);
  EXPECT_EQ(Occurrences(text, std::string(kServer) + "_count{"), 10u);  // 9 methods + _OTHER
  EXPECT_EQ(MethodLabelId("get"), kOtherMethodId);
}

}  // namespace
}  // namespace hugin
