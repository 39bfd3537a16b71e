#include "harness/analyze/match.h"

#include <algorithm>
#include <map>

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
  check(g.status == s.status, r.mismatches.status);
  check(g.req_bytes == s.req_bytes, r.mismatches.req_bytes);
  check(g.resp_bytes == s.resp_bytes, r.mismatches.resp_bytes);
  if (same) ++r.field_matched;
}

}  // namespace

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
        ++result.matched;
        result.truth_matched[static_cast<size_t>(g - truth.data())] = true;
        CompareFields(*g, *candidates[i], result);
        result.duration_delta_ns.push_back(
            static_cast<double>(candidates[i]->duration_ns - (g->end_ns - g->start_ns)));
        break;
      }
    }
  }
  result.phantom = result.spans - result.matched;
  return result;
}

}  // namespace hugin::harness
