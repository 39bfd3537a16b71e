#include "core/protocols/http2/stream.h"

#include <charconv>
#include <string_view>

namespace hugin::http2 {
namespace {

std::optional<int> ParseInt(std::string_view s) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

void StreamState::Touch(Sender from, uint64_t start_ns, uint64_t arrival_ns, uint64_t end_ns) {
  if (from == Sender::kClient) {
    if (ex.req_start_ns == 0 && opened_by_request) {
      ex.req_start_ns = start_ns;
      ex.req_arrival_ns = arrival_ns;
    }
    if (end_ns != 0) ex.req_end_ns = end_ns;
  } else {
    if (ex.resp_start_ns == 0) ex.resp_start_ns = start_ns;
    if (end_ns != 0) ex.resp_end_ns = end_ns;
  }
}

void StreamState::ApplyHeaderBlock(Sender from, const DecodedBlock& block, bool end_stream) {
  const bool unknown = block.failed || block.unknown_fields > 0;
  if (from == Sender::kClient) {
    if (unknown) ex.request_fields_unknown = true;
    if (!request_headers_seen) {
      request_headers_seen = true;
      for (const HeaderField& f : block.fields) {
        if (f.name == ":method")
          ex.method = f.value;
        else if (f.name == ":path")
          ex.path = f.value;
        else if (f.name == ":authority")
          ex.authority = f.value;
        else if (f.name == ":scheme")
          ex.scheme = f.value;
        else if (f.name == "content-type")
          ex.content_type = f.value;
      }
    }  // a second block from the client is request trailers: nothing Hugin reports
    if (end_stream) ex.request_ended = true;
    return;
  }
  if (unknown) ex.response_fields_unknown = true;
  std::optional<int> status;
  for (const HeaderField& f : block.fields) {
    if (f.name == ":status") status = ParseInt(f.value);
  }
  if (!response_headers_seen && status && *status >= 100 && *status < 200 && !end_stream) {
    return;  // informational (1xx) head: the final one follows
  }
  const bool head = !response_headers_seen;
  response_headers_seen = true;
  for (const HeaderField& f : block.fields) {
    if (head && f.name == "content-type") response_content_type = f.value;
    // In the head (trailers-only response) or in the trailers.
    if (f.name == "grpc-status") ex.grpc_status = ParseInt(f.value);
    if (f.name == "grpc-message") ex.grpc_message = f.value;
  }
  if (head) ex.status = status;
  if (end_stream) ex.response_ended = true;
}

Exchange StreamState::Finish() {
  auto grpc = [](const std::optional<std::string>& ct) {
    return ct && std::string_view(*ct).starts_with("application/grpc");
  };
  if (!request_headers_seen) ex.request_fields_unknown = true;
  if (grpc(ex.content_type) || (!ex.content_type && grpc(response_content_type)) ||
      ex.grpc_status) {
    ex.protocol = "grpc";
  } else if (!ex.content_type && !response_content_type &&
             (ex.request_fields_unknown || ex.response_fields_unknown)) {
    ex.protocol_known = false;
  }
  if (!request_headers_seen || !ex.request_ended || !ex.response_ended) ex.incomplete = true;
  ex.request_messages = request_grpc.messages();
  ex.response_messages = response_grpc.messages();
  return std::move(ex);
}

}  // namespace hugin::http2
