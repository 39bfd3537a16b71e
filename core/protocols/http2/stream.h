// One HTTP/2 stream's state while it is open: the Exchange being filled, and what the
// connection needs to fill it (which header blocks were seen, gRPC message counters).
#pragma once

#include <cstdint>
#include <string>

#include "core/protocols/http2/grpc_messages.h"
#include "core/protocols/http2/hpack.h"
#include "core/protocols/http2/types.h"

namespace hugin::http2 {

struct StreamState {
  Exchange ex;
  uint64_t created_seq = 0;  // creation order, for eviction
  bool request_headers_seen = false;
  // The stream's first frame seen was the client's request HEADERS: the request's start is
  // known. A stream first seen by a later frame (the answer, request DATA or trailers after a
  // late attach or a gap) began earlier: its start time stays unknown (0), never that frame's.
  bool opened_by_request = false;
  bool response_headers_seen = false;  // a final (non-1xx) response head
  std::optional<std::string> response_content_type;
  GrpcMessageCounter request_grpc, response_grpc;

  // Records a frame's bytes of one side (HEADERS, CONTINUATION, DATA) in the stream's times.
  void Touch(Sender from, uint64_t start_ns, uint64_t arrival_ns, uint64_t end_ns);
  // A decoded header block from `from`. `unknown`: some of its fields could not be decoded.
  void ApplyHeaderBlock(Sender from, const DecodedBlock& block, bool end_stream);
  // Fills the derived fields (protocol, incomplete, message counts) before the record leaves.
  Exchange Finish();
};

}  // namespace hugin::http2
