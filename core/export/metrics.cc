#include "core/export/metrics.h"

#include <cstring>

#include "core/export/prometheus_text.h"
#include "core/span/http_methods.h"

namespace hugin {
namespace {

// One histogram family: which span kind it covers, which histogram of a series.
struct HttpFamily {
  const char* name;
  SpanKind kind;
  int which;  // 0 duration, 1 request body, 2 response body
  const char* help;
};

constexpr HttpFamily kHttpFamilies[] = {
    {"http_server_request_duration_seconds", SpanKind::kServer, 0,
     "Duration of HTTP server requests, from the first request byte to the last response byte."},
    {"http_client_request_duration_seconds", SpanKind::kClient, 0,
     "Duration of HTTP client requests, from the first request byte to the last response byte."},
    {"http_server_request_body_size_bytes", SpanKind::kServer, 1,
     "Size of HTTP server request bodies."},
    {"http_server_response_body_size_bytes", SpanKind::kServer, 2,
     "Size of HTTP server response bodies."},
    {"http_client_request_body_size_bytes", SpanKind::kClient, 1,
     "Size of HTTP client request bodies."},
    {"http_client_response_body_size_bytes", SpanKind::kClient, 2,
     "Size of HTTP client response bodies."},
};

static_assert(kKnownHttpMethods.size() == kOtherMethodId);

}  // namespace

std::string_view MethodLabel(uint8_t id) {
  return id < kOtherMethodId ? kKnownHttpMethods[id] : std::string_view("_OTHER");
}

uint8_t MethodLabelId(std::string_view method) {
  for (uint8_t i = 0; i < kOtherMethodId; ++i) {
    if (kKnownHttpMethods[i] == method) return i;
  }
  return kOtherMethodId;
}

std::string NormalizeMethodLabel(const std::string& method) {
  return std::string(MethodLabel(MethodLabelId(method)));
}

size_t Metrics::SeriesIdHash::operator()(const SeriesId& id) const {
  uint64_t h = id.kind_method_port_status * 0x9E3779B97F4A7C15ull ^ id.service;
  return static_cast<size_t>(h ^ (h >> 29));
}

Metrics::Series& Metrics::SeriesOf(const Span& span) {
  const uint8_t method = MethodLabelId(span.method);
  const uint16_t port = span.kind == SpanKind::kServer ? span.local.port : span.peer.port;
  const SeriesId id{(uint64_t{span.kind == SpanKind::kServer} << 56) | (uint64_t{method} << 48) |
                        (uint64_t{port} << 32) | static_cast<uint32_t>(span.status),
                    services_.Id(span.service_name)};
  auto it = by_id_.find(id);
  if (it != by_id_.end()) return *it->second;
  SeriesKey key{span.kind, std::string(MethodLabel(method)), span.status, span.service_name,
                port};
  Series* series = &series_[key];
  by_id_.emplace(id, series);
  return *series;
}

size_t Metrics::RpcIdHash::operator()(const RpcId& id) const {
  uint64_t h = (id.kind_port_status * 0x9E3779B97F4A7C15ull) ^ id.service ^
               (uint64_t{id.method} << 32);
  return static_cast<size_t>(h ^ (h >> 29));
}

Histogram& Metrics::RpcSeriesOf(const Span& span) {
  std::string_view method = span.path;
  if (rpc_methods_.size() >= kMaxRpcMethods && !rpc_methods_.Has(method)) method = "_OTHER";
  const uint16_t port = span.kind == SpanKind::kServer ? span.local.port : span.peer.port;
  const RpcId id{(uint64_t{span.kind == SpanKind::kServer} << 48) | (uint64_t{port} << 32) |
                     static_cast<uint32_t>(span.grpc_status),
                 services_.Id(span.service_name), rpc_methods_.Id(method)};
  auto it = rpc_by_id_.find(id);
  if (it != rpc_by_id_.end()) return *it->second;
  RpcKey key{span.kind, std::string(method), span.grpc_status, span.service_name, port};
  Histogram* h = &rpc_series_.try_emplace(key, kDurationBucketsSeconds).first->second;
  rpc_by_id_.emplace(id, h);
  return *h;
}

void Metrics::Observe(const Span& span) {
  std::lock_guard<std::mutex> lock(mu_);
  if (span.protocol == "grpc") {
    RpcSeriesOf(span).Observe(static_cast<double>(span.duration_ns()) / 1e9);
    return;
  }
  Series& series = SeriesOf(span);
  series.duration.Observe(static_cast<double>(span.duration_ns()) / 1e9);
  series.request_body.Observe(static_cast<double>(span.request_body_bytes));
  series.response_body.Observe(static_cast<double>(span.response_body_bytes));
}

void Metrics::SetKernelSeries(std::vector<KernelSeriesSample> samples) {
  std::map<SeriesKey, Series> next;  // built before taking the lock: Observe does not wait
  for (const KernelSeriesSample& s : samples) {
    SeriesKey key{SpanKind::kServer, std::string(MethodLabel(s.method_id)), s.status,
                  s.service_name, s.server_port};
    Series& series = next[key];
    series.duration.AddBuckets(s.duration_buckets, s.duration_sum_seconds);
    series.request_body.AddBuckets(s.request_body_buckets, static_cast<double>(s.request_body_sum));
    series.response_body.AddBuckets(s.response_body_buckets,
                                    static_cast<double>(s.response_body_sum));
  }
  std::lock_guard<std::mutex> lock(mu_);
  kernel_series_.swap(next);
}

const Histogram& Metrics::HistogramOf(const Series& series, int which) {
  return which == 0 ? series.duration : which == 1 ? series.request_body : series.response_body;
}

void Metrics::AppendHttpFamilies(std::string& out) const {
  for (const HttpFamily& family : kHttpFamilies) {
    AppendFamilyHeader(out, family.name, "histogram", family.help);
    // Both maps in key order at once, so each label set comes once and in order.
    auto a = series_.begin(), b = kernel_series_.begin();
    const auto a_end = series_.end(), b_end = kernel_series_.end();
    while (a != a_end || b != b_end) {
      const bool take_a = a != a_end && (b == b_end || !(b->first < a->first));
      const bool take_b = b != b_end && (a == a_end || !(a->first < b->first));
      const SeriesKey& key = take_a ? a->first : b->first;
      if (key.kind == family.kind) {
        Labels labels = {{"http_request_method", key.method},
                         {"http_response_status_code", std::to_string(key.status)},
                         {"service_name", key.service_name},
                         {"server_port", std::to_string(key.server_port)}};
        const Histogram& one = HistogramOf(take_a ? a->second : b->second, family.which);
        if (take_a && take_b) {
          Histogram sum = one;  // a copy: neither stored series may change
          sum.Merge(HistogramOf(b->second, family.which));
          AppendHistogramSamples(out, family.name, labels, sum);
        } else {
          AppendHistogramSamples(out, family.name, labels, one);
        }
      }
      if (take_a) ++a;
      if (take_b) ++b;
    }
  }
}

void Metrics::AppendRpcFamilies(std::string& out) const {
  static constexpr struct {
    const char* name;
    SpanKind kind;
    const char* help;
  } kRpcFamilies[] = {
      {"rpc_server_duration_seconds", SpanKind::kServer,
       "Duration of gRPC server calls, from the first request byte to the last response byte."},
      {"rpc_client_duration_seconds", SpanKind::kClient,
       "Duration of gRPC client calls, from the first request byte to the last response byte."},
  };
  for (const auto& family : kRpcFamilies) {
    AppendFamilyHeader(out, family.name, "histogram", family.help);
    for (const auto& [key, histogram] : rpc_series_) {
      if (key.kind != family.kind) continue;
      Labels labels = {{"rpc_system", "grpc"},
                       {"rpc_method", key.method},
                       {"rpc_grpc_status_code", std::to_string(key.grpc_status)},
                       {"service_name", key.service_name},
                       {"server_port", std::to_string(key.server_port)}};
      AppendHistogramSamples(out, family.name, labels, histogram);
    }
  }
}

std::string Metrics::Expose(const AgentCounters& c) const {
  std::string out;
  {
    std::lock_guard<std::mutex> lock(mu_);
    AppendHttpFamilies(out);
    AppendRpcFamilies(out);
  }
  struct Counter {
    const char* name;
    uint64_t value;
    const char* help;
  };
  const Counter counters[] = {
      {"hugin_events_received_total", c.events_received, "Events read from the kernel ring buffer."},
      {"hugin_spans_total", c.spans, "Spans produced."},
      {"hugin_parse_errors_total", c.parse_errors, "Protocol parser rejections."},
      {"hugin_stream_gaps_total", c.stream_gaps,
       "Gaps in a connection's byte stream (events lost before user space)."},
      {"hugin_unpaired_requests_total", c.unpaired_requests,
       "Requests seen whole that ended without an answer they could be paired with (records "
       "lost around them); reported, never given a made-up status."},
      {"hugin_payload_truncated_total", c.payload_truncated,
       "Syscalls whose data was longer than the captured payload."},
      {"hugin_payload_short_copy_total", c.payload_short_copy,
       "Syscalls whose payload could not be read in full from user memory (the event was still "
       "delivered)."},
      {"hugin_conn_loss_reports_total", c.conn_loss_reports,
       "Per-connection loss reports read from the kernel (one per connection per drain)."},
      {"hugin_conn_loss_map_full_total", c.conn_loss_map_full,
       "Kernel drops that could not be attributed to their connection: the loss map was full."},
      {"hugin_unreported_exchanges_total", c.unreported_exchanges,
       "Exchanges a parser saw but did not report: not seen from their start (a late attach), or "
       "their protocol could not be decoded (HTTP/2 header fields indexed before the attach)."},
      {"hugin_capture_off_connections_total", c.capture_off_conns,
       "Connections whose first bytes were no protocol Hugin knows: the kernel stopped capturing "
       "them (not errors, not losses)."},
      {"hugin_capture_off_calls_total", c.capture_off_calls,
       "Data syscalls on such connections that the kernel did not record."},
      {"hugin_capture_policy_map_full_total", c.capture_policy_map_full,
       "Capture-off requests the kernel's policy map had no room for: those connections keep "
       "being captured (and ignored by the agent)."},
      {"hugin_tls_connections_total", c.tls_conns,
       "Connections seen carrying TLS (their spans come from the TLS library's plaintext)."},
      {"hugin_tls_connections_without_plaintext_total", c.tls_conns_without_plaintext,
       "TLS connections that ended without any plaintext seen: a TLS library Hugin cannot read "
       "(see hugin_tls_unsupported) or one loaded after the connection began."},
      {"hugin_tls_calls_total", c.tls_calls, "TLS library read and write calls that moved plaintext."},
      {"hugin_tls_ciphertext_calls_total", c.tls_ciphertext_calls,
       "Syscalls on TLS connections the kernel did not record (ciphertext)."},
      {"hugin_socket_calls_unseen_total", c.socket_calls_unseen,
       "Socket reads and writes of a watched process outside the data syscalls (io_uring, "
       "sendfile, sendmmsg): not recorded. Counted on the socket data path only; the syscall "
       "path does not see them at all."},
      {"hugin_stale_records_total", c.stale_records,
       "Records of a connection that arrived after the next connection on its fd had opened "
       "(socket data path: a socket that outlived its fd, by a dup() or a call in flight during "
       "close()): not parsed, the older connection was already finished."},
      {"hugin_kernel_exchanges_total", c.kernel_exchanges,
       "HTTP/1 server exchanges aggregated in the kernel into the http_server_* metrics, with "
       "no record sent to user space (only when no spans are produced)."},
      {"hugin_kernel_handovers_total", c.kernel_handovers,
       "Times the kernel handed a connection it was aggregating back to user space for an "
       "exchange it cannot frame (chunked or unframed body, pipelining, ...); not a loss: that "
       "exchange is recorded and parsed."},
  };
  for (const Counter& counter : counters) {
    AppendFamilyHeader(out, counter.name, "counter", counter.help);
    AppendSample(out, counter.name, {}, counter.value);
  }
  AppendFamilyHeader(out, "hugin_kernel_drops_total", "counter",
                     "Events dropped in the kernel, by reason (kernel_handover and "
                     "kernel_series_full: HTTP/1 exchanges lost by the kernel's aggregation).");
  for (const auto& [reason, count] : c.kernel_drops) {
    AppendSample(out, "hugin_kernel_drops_total", {{"reason", reason}}, count);
  }
  AppendFamilyHeader(out, "hugin_evictions_total", "counter",
                     "State given up to keep memory bounded, by what (the limits' settings: "
                     "HUGIN_MAX_CONNECTIONS, _IN_FLIGHT_REQUESTS, _HEADER_BYTES, _PENDING_PAIRINGS).");
  for (const auto& [what, count] : c.evictions) {
    AppendSample(out, "hugin_evictions_total", {{"what", what}}, count);
  }
  AppendFamilyHeader(out, "hugin_tracked_connections", "gauge",
                     "Connections the agent holds state for.");
  AppendSample(out, "hugin_tracked_connections", {}, c.tracked_connections);
  AppendFamilyHeader(out, "hugin_pending_pairings", "gauge",
                     "Requests held for pairing with their answers, across connections.");
  AppendSample(out, "hugin_pending_pairings", {}, c.pending_pairings);
  AppendFamilyHeader(out, "hugin_tls_unsupported", "gauge",
                     "Watched processes using a TLS library Hugin cannot read plaintext from.");
  for (const auto& [library, count] : c.tls_unsupported) {
    AppendSample(out, "hugin_tls_unsupported", {{"library", library}}, count);
  }
  AppendFamilyHeader(out, "hugin_watched_pids", "gauge", "Processes currently selected for tracing.");
  AppendSample(out, "hugin_watched_pids", {}, c.watched_pids);
  return out;
}

}  // namespace hugin
