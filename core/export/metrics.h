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
#include <vector>

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
// The label of a method id: "_OTHER" for kOtherMethodId and any id above it.
std::string_view MethodLabel(uint8_t id);

// One server-side HTTP series aggregated in the kernel (core/loader KernelSeries), cumulative:
// the raw per-bucket counts (not cumulative; the last bucket is above every bound, +Inf) and
// the sum of each of its three histograms. A histogram's count is its buckets' total.
struct KernelSeriesSample {
  uint8_t method_id = kOtherMethodId;  // MethodLabelId's ids; above kOtherMethodId: "_OTHER"
  int status = 0;
  std::string service_name;
  uint16_t server_port = 0;
  std::array<uint64_t, kDurationBucketsSeconds.size() + 1> duration_buckets{};
  double duration_sum_seconds = 0;
  std::array<uint64_t, kBodySizeBucketsBytes.size() + 1> request_body_buckets{};
  uint64_t request_body_sum = 0;
  std::array<uint64_t, kBodySizeBucketsBytes.size() + 1> response_body_buckets{};
  uint64_t response_body_sum = 0;
};

// Distinct rpc_method label values kept; later ones share "_OTHER", so a client sending
// made-up gRPC paths cannot grow the exposition without bound.
inline constexpr size_t kMaxRpcMethods = 1000;

class Metrics {
 public:
  // HTTP spans (HTTP/1.x, and HTTP/2 that is not gRPC): labels http_request_method,
  // http_response_status_code, service_name, server_port (server span: local port; client
  // span: peer port). gRPC spans: rpc_* families, labels rpc_system="grpc", rpc_method (the
  // :path), rpc_grpc_status_code (-1 when unknown), service_name, server_port.
  // Duration observed = span.duration_ns() (queue start to end), in seconds.
  void Observe(const Span& span);

  // The kernel's server-side HTTP/1 series as read at this scrape: replaces the previous
  // snapshot (the kernel's values are cumulative already). Samples with the same labels (two
  // processes of one service on one port) are added up.
  void SetKernelSeries(std::vector<KernelSeriesSample> samples);

  // The whole exposition: the six http_* histogram families, the two rpc_* families and the
  // hugin_* families from `counters`, each with HELP and TYPE lines. An http_* label set is
  // exposed once: its span-derived series plus the kernel snapshot's, whichever exist.
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
  static const Histogram& HistogramOf(const Series& series, int which);

  // gRPC: duration only, keyed like the HTTP series but by method path and gRPC status.
  struct RpcKey {
    SpanKind kind;
    std::string method;
    int grpc_status;
    std::string service_name;
    uint16_t server_port;
    auto Tie() const { return std::tie(kind, method, grpc_status, service_name, server_port); }
    bool operator<(const RpcKey& other) const { return Tie() < other.Tie(); }
  };
  Histogram& RpcSeriesOf(const Span& span);  // mu_ held

  void AppendHttpFamilies(std::string& out) const;
  void AppendRpcFamilies(std::string& out) const;

  mutable std::mutex mu_;
  std::map<SeriesKey, Series> series_;  // ordered: stable exposition
  // Every series of series_ by id (std::map nodes do not move). The label strings of a
  // SeriesKey are built only when a series is new.
  std::unordered_map<SeriesId, Series*, SeriesIdHash> by_id_;
  StringInterner services_;
  // The last SetKernelSeries, apart from series_ so that a snapshot replaces the previous one
  // and Observe's path stays as it is; the two are added up in the exposition only.
  std::map<SeriesKey, Series> kernel_series_;
  std::map<RpcKey, Histogram> rpc_series_;
  struct RpcId {
    uint64_t kind_port_status;
    uint32_t service, method;
    bool operator==(const RpcId&) const = default;
  };
  struct RpcIdHash {
    size_t operator()(const RpcId& id) const;
  };
  std::unordered_map<RpcId, Histogram*, RpcIdHash> rpc_by_id_;
  StringInterner rpc_methods_;  // at most kMaxRpcMethods + 1 ("_OTHER")
};

}  // namespace hugin
