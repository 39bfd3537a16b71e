// What every protocol parser produces: one request matched with its answer (or a request
// left without one), in protocol-neutral fields the tracker turns into a span.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace hugin::protocols {

struct Exchange {
  // "http" (HTTP/1.x), "http2", "grpc": the span's protocol, chosen by the parser (an
  // HTTP/2 connection carries both plain HTTP/2 and gRPC streams).
  const char* protocol = "";
  // Request attributes: HTTP method and path, a gRPC method's "/pkg.Service/Method" path, a
  // database statement's operation later. Empty when the protocol has none.
  std::string method;
  std::string path;
  // False when no answer could be paired with the request: it is then reported as unpaired,
  // never given a made-up status.
  bool answered = false;
  // The answer's status: HTTP status code (HTTP/2 :status); 0 when the protocol has none.
  int status = 0;
  // gRPC status code from the trailers (or a trailers-only answer); absent when the protocol
  // has none or the field could not be decoded.
  std::optional<int> grpc_status;
  uint64_t request_body_bytes = 0, response_body_bytes = 0;
  uint64_t req_start_ns = 0;    // ts of the chunk holding the request's first byte
  uint64_t req_arrival_ns = 0;  // arrival_ns of that chunk if known, else 0
  uint64_t req_end_ns = 0;      // ts of the chunk holding the request's last byte
  uint64_t resp_start_ns = 0, resp_end_ns = 0;
  bool estimated = false;  // sizes/end inferred from syscall boundaries (see the protocol)
};

}  // namespace hugin::protocols
