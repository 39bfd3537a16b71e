// RED metrics: histograms of request duration and body sizes per
// (kind, method, status, service, server port), plus Hugin's own counters,
// exposed in the Prometheus text format 0.0.4. Thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>

#include "core/export/agent_counters.h"
#include "core/export/histogram.h"
#include "core/export/string_interner.h"
#include "core/span/span.h"

namespace hugin {

// Seconds; the OpenTelemetry HTTP semantic-convention buckets (+Inf implied).
inline constexpr std::array<double, 15> kDurationBucketsSeconds = {
    0, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10};
// Bytes; the same bounds Beyla uses for body sizes (+Inf implied).
inline constexpr std::array<double, 10> kBodySizeBucketsBytes = {0,   32,   64,   128,  256,
                                                                 512, 1024, 2048, 4096, 8192};

// Methods outside the standard set become "_OTHER" (OpenTelemetry's rule), so
// garbage on the wire cannot create unbounded label values.
std::string NormalizeMethodLabel(const std::string& method);
// The same as a small id: 0..8 the standard methods, kOtherMethodId for the rest.
inline constexpr uint8_t kOtherMethodId = 9;
uint8_t MethodLabelId(std::string_view method);

class Metrics {
 public:
  // Labels: http_request_method, http_response_status_code, service_name,
  // server_port (server span: local port; client span: peer port).
  // Duration observed = span.duration_ns() (queue start to end), in seconds.
  void Observe(const Span& span);

  // The whole exposition: the six http_* histogram families and the hugin_*
  // families from `counters`, each with HELP and TYPE lines.
  std::string Expose(const AgentCounters& counters) const;

 private:
  struct SeriesKey {
    SpanKind kind;
    std::string method;
    int status;
    std::string service_name;
    uint16_t server_port;
    auto Tie() const { return std::tie(kind, method, status, service_name, server_port); }
    bool operator<(const SeriesKey& other) const { return Tie() < other.Tie(); }
  };
  struct Series {
    Histogram duration{kDurationBucketsSeconds};
    Histogram request_body{kBodySizeBucketsBytes};
    Histogram response_body{kBodySizeBucketsBytes};
  };

  // The hot path's key: the labels as ids and numbers, no strings.
  struct SeriesId {
    uint64_t kind_method_port_status;
    uint32_t service;
    bool operator==(const SeriesId&) const = default;
  };
  struct SeriesIdHash {
    size_t operator()(const SeriesId& id) const;
  };

  Series& SeriesOf(const Span& span);  // mu_ held

  void AppendHttpFamilies(std::string& out) const;

  mutable std::mutex mu_;
  std::map<SeriesKey, Series> series_;  // ordered: stable exposition
  // Every series of series_ by id (std::map nodes do not move). The label strings of a
  // SeriesKey are built only when a series is new.
  std::unordered_map<SeriesId, Series*, SeriesIdHash> by_id_;
  StringInterner services_;
};

}  // namespace hugin
