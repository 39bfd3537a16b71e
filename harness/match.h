// Ground-truth matching: pairs each request the fixture logged with the span Hugin reported for
// it. Key: the client's port (peer port in both streams) plus time overlap. Requests on one
// keep-alive connection are sequential, so within a port the first unused span whose interval
// overlaps the handler's interval is the one (order per connection); ports reused by a later
// connection are told apart by time.
#pragma once

#include <cstdint>
#include <vector>

#include "harness/records.h"

namespace hugin::harness {

struct FieldMismatches {
  size_t method = 0, path = 0, status = 0, req_bytes = 0, resp_bytes = 0;
};

struct MatchResult {
  size_t requests = 0;        // ground-truth records
  size_t spans = 0;           // server spans on the fixture's port
  size_t matched = 0;         // requests with a span
  size_t field_matched = 0;   // matched with method, path, status and both sizes equal
  size_t phantom = 0;         // spans no request explains
  FieldMismatches mismatches;
  // span duration - handler duration, per matched request (ns). The span covers the socket
  // reads and writes around the handler, so the delta is expected positive and small.
  std::vector<double> duration_delta_ns;

  double capture_rate() const { return requests ? double(matched) / double(requests) : 0; }
  double field_match_rate() const { return matched ? double(field_matched) / double(matched) : 0; }
};

// Only server spans whose local port is `server_port` are considered (client spans and spans of
// other services are not the fixture's requests).
MatchResult MatchSpans(const std::vector<GroundTruthRecord>& truth,
                       const std::vector<SpanRecord>& spans, int server_port);

}  // namespace hugin::harness
