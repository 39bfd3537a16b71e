// Ground-truth matching: pairs each request the fixture logged with the span Hugin reported for
// it. Key: the client's port (peer port in both streams) plus time overlap. Requests on one
// keep-alive connection are sequential, so within a port the first unused span whose interval
// overlaps the handler's interval is the one (order per connection); ports reused by a later
// connection are told apart by time.
#pragma once

#include <cstdint>
#include <vector>

#include "harness/model/records.h"

#include "harness/model/run_result.h"

namespace hugin::harness {



// Only server spans whose local port is `server_port` are considered (client spans and spans of
// other services are not the fixture's requests).
MatchResult MatchSpans(const std::vector<GroundTruthRecord>& truth,
                       const std::vector<SpanRecord>& spans, int server_port);

}  // namespace hugin::harness
