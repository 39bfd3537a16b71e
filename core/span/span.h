// A span: one request/response exchange seen on one connection, the unit every
// exporter (trace printer, Prometheus, harness) consumes.
#pragma once

#include <cstdint>
#include <string>

namespace hugin {

enum class SpanKind { kServer, kClient };

// An endpoint as seen on the wire: textual IP ("127.0.0.1", "::1") and port.
struct Endpoint {
  std::string ip;
  uint16_t port = 0;
};

struct Span {
  SpanKind kind = SpanKind::kServer;
  std::string protocol = "http";  // "http" (HTTP/1.x), "http2", "grpc"

  // Times are CLOCK_MONOTONIC nanoseconds (bpf_ktime_get_ns), the clock the
  // fixtures' ground-truth logs use. wall_start_ns is start_ns mapped to the
  // realtime clock, for printing.
  uint64_t start_ns = 0;          // total start: request bytes arrived (queue start)
  uint64_t processing_start_ns = 0;  // the service first read the request
  uint64_t end_ns = 0;            // last byte of the response written/read
  int64_t wall_start_ns = 0;

  std::string method;             // "GET"
  std::string path;               // "/hello" (query stripped)
  int status = 0;                 // HTTP status; 0 if no response was seen
  uint64_t request_body_bytes = 0;
  uint64_t response_body_bytes = 0;
  // HTTP/2 and gRPC: the stream the exchange ran on, and the gRPC status from the trailers
  // (-1 when the protocol has none or it could not be decoded).
  uint32_t stream_id = 0;
  int grpc_status = -1;
  // The exchange went over TLS; its fields come from the TLS library's plaintext.
  bool tls = false;

  // local = the traced process's end; peer = the other end.
  // Server span: client (peer) -> server (local). Client span: local -> peer.
  Endpoint local;
  Endpoint peer;

  uint32_t pid = 0;
  std::string service_name;       // defaults to the executable's base name

  uint64_t duration_ns() const { return end_ns > start_ns ? end_ns - start_ns : 0; }
  uint64_t processing_ns() const {
    return end_ns > processing_start_ns ? end_ns - processing_start_ns : 0;
  }
};

}  // namespace hugin
