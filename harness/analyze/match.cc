#include "harness/analyze/match.h"

#include <algorithm>
#include <map>
#include <optional>
#include <unordered_map>

namespace hugin::harness {
namespace {

bool Overlaps(const SpanRecord& s, const GroundTruthRecord& g) {
  return s.start_ns <= g.end_ns && s.end_ns >= g.start_ns;
}

void CompareFields(const GroundTruthRecord& g, const SpanRecord& s, MatchResult& r) {
  bool same = true;
  auto check = [&same](bool equal, size_t& counter) {
    if (!equal) {
      ++counter;
      same = false;
    }
  };
  check(g.method == s.method, r.mismatches.method);
  check(g.path == s.path, r.mismatches.path);
  // A gRPC fixture logs the call's gRPC status; the span has it apart from the HTTP :status.
  check(g.status == (g.proto == "grpc" ? s.grpc_status : s.status), r.mismatches.status);
  check(g.req_bytes == s.req_bytes, r.mismatches.req_bytes);
  check(g.resp_bytes == s.resp_bytes, r.mismatches.resp_bytes);
  if (same) ++r.field_matched;
}

void RecordMatch(const GroundTruthRecord& g, const SpanRecord& s, MatchResult& r) {
  ++r.matched;
  CompareFields(g, s, r);
  r.duration_delta_ns.push_back(static_cast<double>(s.duration_ns - (g.end_ns - g.start_ns)));
}

}  // namespace

MatchResult MatchSpansByIdentity(const std::vector<GroundTruthRecord>& truth,
                                 const std::vector<SpanRecord>& spans, int server_port,
                                 const std::string& run_id) {
  MatchResult result;
  result.identity_matched = true;
  result.truth_matched.assign(truth.size(), false);

  // n -> the requests that sent it (one with wrk; one per connection with h2load).
  std::unordered_map<uint64_t, std::vector<const GroundTruthRecord*>> by_n;
  for (const auto& g : truth) {
    uint64_t n = 0;
    switch (RoleOfPath(g.path, run_id, &n)) {
      case PathRole::kWarmup:
        continue;  // not a request of the measured load
      case PathRole::kMeasured: {
        auto& same_n = by_n[n];
        // Two requests with one identity (a client that wrapped around its URI list): identity
        // does not identify them, so the run does not count as matched by identity.
        for (const GroundTruthRecord* other : same_n)
          if (other->peer_port == g.peer_port) result.identity_matched = false;
        same_n.push_back(&g);
        break;
      }
      case PathRole::kOther:
        break;  // a request of the run no span can name: it stays missing
    }
    ++result.requests;
  }
  for (auto& [n, requests] : by_n)
    std::sort(requests.begin(), requests.end(),
              [](auto* a, auto* b) { return a->start_ns < b->start_ns; });

  std::vector<const SpanRecord*> ours;
  for (const auto& s : spans)
    if (s.kind == "server" && s.local_port == server_port) ours.push_back(&s);
  std::sort(ours.begin(), ours.end(), [](auto* a, auto* b) { return a->start_ns < b->start_ns; });

  std::unordered_map<const GroundTruthRecord*, bool> taken;
  for (const SpanRecord* s : ours) {
    uint64_t n = 0;
    const PathRole role = RoleOfPath(s->path, run_id, &n);
    if (role == PathRole::kWarmup) continue;
    ++result.spans;
    const auto named = role == PathRole::kMeasured ? by_n.find(n) : by_n.end();
    if (named == by_n.end()) {
      ++result.phantom;
      continue;
    }
    // Among the requests with this n, those on the span's connection; the first still open one
    // whose handler the span overlaps is its request.
    bool same_port = false, overlapping_taken = false;
    const GroundTruthRecord* request = nullptr;
    for (const GroundTruthRecord* g : named->second) {
      if (g->peer_port != s->peer_port) continue;
      same_port = true;
      if (!Overlaps(*s, *g)) continue;
      if (taken[g]) {
        overlapping_taken = true;
        continue;
      }
      request = g;
      break;
    }
    if (request) {
      taken[request] = true;
      result.truth_matched[static_cast<size_t>(request - truth.data())] = true;
      RecordMatch(*request, *s, result);
    } else if (same_port && overlapping_taken) {
      ++result.duplicate_spans;
    } else {
      ++result.misattributed;  // another connection's n, or this connection's at another time
    }
  }
  return result;
}

MatchResult MatchSpans(const std::vector<GroundTruthRecord>& truth,
                       const std::vector<SpanRecord>& spans, int server_port) {
  MatchResult result;
  result.requests = truth.size();
  result.truth_matched.assign(truth.size(), false);

  std::map<int, std::vector<const SpanRecord*>> spans_by_port;
  for (const auto& s : spans) {
    if (s.kind != "server" || s.local_port != server_port) continue;
    spans_by_port[s.peer_port].push_back(&s);
    ++result.spans;
  }
  std::map<int, std::vector<const GroundTruthRecord*>> truth_by_port;
  for (const auto& g : truth) truth_by_port[g.peer_port].push_back(&g);

  for (auto& [port, requests] : truth_by_port) {
    auto found = spans_by_port.find(port);
    if (found == spans_by_port.end()) continue;
    auto& candidates = found->second;
    std::sort(requests.begin(), requests.end(),
              [](auto* a, auto* b) { return a->start_ns < b->start_ns; });
    std::sort(candidates.begin(), candidates.end(),
              [](auto* a, auto* b) { return a->start_ns < b->start_ns; });
    std::vector<bool> used(candidates.size(), false);
    size_t first_open = 0;  // candidates before it are used or ended before every later request
    for (const GroundTruthRecord* g : requests) {
      while (first_open < candidates.size() &&
             (used[first_open] || candidates[first_open]->end_ns < g->start_ns)) {
        ++first_open;
      }
      for (size_t i = first_open; i < candidates.size() && candidates[i]->start_ns <= g->end_ns;
           ++i) {
        if (used[i] || !Overlaps(*candidates[i], *g)) continue;
        used[i] = true;
        result.truth_matched[static_cast<size_t>(g - truth.data())] = true;
        RecordMatch(*g, *candidates[i], result);
        break;
      }
    }
  }
  result.phantom = result.spans - result.matched;
  return result;
}

}  // namespace hugin::harness
