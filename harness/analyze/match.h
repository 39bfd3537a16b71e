// Ground-truth matching: pairs each request the fixture logged with the span Hugin reported for
// it. Only server spans whose local port is `server_port` are considered (client spans and spans
// of other services are not the fixture's requests).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "harness/model/identity.h"
#include "harness/model/records.h"
#include "harness/model/run_result.h"

namespace hugin::harness {

// By identity (every HTTP/1.1 scenario). Requests and spans are joined by the identity in their
// paths, /<prefix>/<run>/<n> (model/identity.h), and the client (peer) port: with wrk n alone is
// unique; with h2load every connection sends the same n, so the key is (peer port, n). A span
// naming request R is R's span when its peer port is R's and its interval overlaps R's handler;
// then method, path, status and both body sizes are compared. Otherwise it is `misattributed`
// (same n, but another connection, or another time). Further spans for a matched request are
// `duplicate_spans`; spans whose path names no request of the run are `phantom`.
// Only paths of the run's measured load (/r/<run_id>/...) count. Requests and spans of its
// warm-up load (/w/<run_id>/...) are left out (the runner counts the requests apart); a
// ground-truth request with any other path counts as a request no span can match.
// truth_matched is indexed like `truth` (warm-up records stay false).
MatchResult MatchSpansByIdentity(const std::vector<GroundTruthRecord>& truth,
                                 const std::vector<SpanRecord>& spans, int server_port,
                                 const std::string& run_id);

// The fallback for requests whose path carries no identity (gRPC: the path is the method). Key:
// the client's port plus time overlap. Requests on one keep-alive connection are sequential, so
// within a port the first unused span whose interval overlaps the handler's interval is the one
// (order per connection); ports reused by a later connection are told apart by time.
// identity_matched is false.
MatchResult MatchSpans(const std::vector<GroundTruthRecord>& truth,
                       const std::vector<SpanRecord>& spans, int server_port);

}  // namespace hugin::harness
