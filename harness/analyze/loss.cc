#include "harness/analyze/loss.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>

namespace hugin::harness {
namespace {

enum class Direction { kIngress, kEgress, kEither };

// Something that can explain missing requests: one direction of a loss report (capacity: the
// records it lost in that direction), a gap or an unpaired request (capacity 1).
struct Source {
  uint64_t capacity = 0;
  int loss_report = -1;  // index into reports.losses, for unattributed accounting
  std::vector<size_t> assigned;  // missing requests it explains
};

// The missing requests of `requests` (one connection, in time order) whose window of `dir`
// meets [from, to]; see the window definitions in loss.h.
void Candidates(const std::vector<size_t>& requests, const std::vector<GroundTruthRecord>& truth,
                const std::vector<bool>& matched, Direction dir, int64_t from, int64_t to,
                const std::function<void(size_t)>& add) {
  const size_t n = requests.size();
  for (size_t k = 0; k < n; ++k) {
    const GroundTruthRecord& g = truth[requests[k]];
    const int64_t ingress_lo = k > 0 ? truth[requests[k - 1]].end_ns : INT64_MIN;
    const int64_t egress_hi = k + 1 < n ? truth[requests[k + 1]].start_ns : INT64_MAX;
    const bool ingress = ingress_lo < to && from <= g.end_ns;
    const bool egress = g.start_ns <= to && from < egress_hi;
    const bool meets = dir == Direction::kIngress  ? ingress
                       : dir == Direction::kEgress ? egress
                                                   : ingress || egress;
    if (meets && !matched[requests[k]]) add(requests[k]);
  }
}

// Explains as many missing requests as the sources' capacities allow: a maximum b-matching
// found with augmenting paths, so the result does not depend on the order reports were read (a
// wide report must not use up its capacity on a request a narrower one alone could explain).
uint64_t MatchSources(std::vector<Source>& sources,
                      const std::map<size_t, std::vector<size_t>>& sources_of) {
  std::map<size_t, size_t> source_of;  // missing request -> the source explaining it
  std::vector<int> visited(sources.size(), -1);
  int round = 0;
  std::function<bool(size_t)> place = [&](size_t request) -> bool {
    for (size_t s : sources_of.at(request)) {
      if (visited[s] == round) continue;
      visited[s] = round;
      Source& src = sources[s];
      if (src.assigned.size() < src.capacity) {
        src.assigned.push_back(request);
        source_of[request] = s;
        return true;
      }
      for (size_t& other : src.assigned) {
        const size_t moved = other;
        if (place(moved)) {  // `moved` found another source: `request` takes its place here
          other = request;
          source_of[request] = s;
          return true;
        }
      }
    }
    return false;
  };
  uint64_t explained = 0;
  for (const auto& [request, list] : sources_of) {
    ++round;
    if (place(request)) ++explained;
  }
  return explained;
}

}  // namespace

LossResult AccountLoss(const LossInput& in) {
  LossResult r;
  std::map<int, std::vector<size_t>> conns;  // peer port -> requests in time order
  for (size_t i = 0; i < in.truth.size(); ++i) conns[in.truth[i].peer_port].push_back(i);
  for (auto& [port, c] : conns) {
    std::sort(c.begin(), c.end(),
              [&](size_t a, size_t b) { return in.truth[a].start_ns < in.truth[b].start_ns; });
  }
  auto ours = [&](int local_port, int64_t last_ns) {
    return local_port == in.server_port && last_ns >= in.measured_start_ns;
  };

  std::vector<Source> sources;
  std::map<size_t, std::vector<size_t>> sources_of;  // missing request -> sources that may explain it
  auto add_source = [&](int peer_port, Direction dir, int64_t from, int64_t to, uint64_t capacity,
                        int loss_report) {
    if (capacity == 0) return;
    auto it = conns.find(peer_port);
    if (it == conns.end()) return;
    const size_t s = sources.size();
    sources.push_back({capacity, loss_report, {}});
    Candidates(it->second, in.truth, in.truth_matched, dir, from, to,
               [&](size_t request) { sources_of[request].push_back(s); });
  };

  uint64_t reported = 0;
  for (size_t i = 0; i < in.reports.losses.size(); ++i) {
    const LossReport& l = in.reports.losses[i];
    if (!ours(l.local_port, l.last_ns)) continue;
    reported += l.records();
    const int idx = static_cast<int>(i);
    add_source(l.peer_port, Direction::kIngress, l.first_ns, l.last_ns, l.ingress_records, idx);
    add_source(l.peer_port, Direction::kEgress, l.first_ns, l.last_ns, l.egress_records, idx);
    add_source(l.peer_port, Direction::kEither, l.first_ns, l.last_ns, l.control_records, idx);
  }
  // A gap the kernel did not report as a loss (bytes the agent never saw for another reason)
  // explains at most one request in its own span of time.
  for (const GapReport& gap : in.reports.gaps) {
    if (!ours(gap.local_port, gap.before_ns)) continue;
    const bool known = std::any_of(
        in.reports.losses.begin(), in.reports.losses.end(), [&](const LossReport& l) {
          return l.local_port == gap.local_port && l.peer_port == gap.peer_port &&
                 l.first_ns <= gap.before_ns && gap.after_ns <= l.last_ns;
        });
    if (!known)
      add_source(gap.peer_port, gap.ingress ? Direction::kIngress : Direction::kEgress,
                 gap.after_ns, gap.before_ns, 1, -1);
  }
  // A request the agent saw but could not pair (records lost around it) explains itself: the
  // one request on its connection whose ingress window holds the moment it was read.
  for (const UnpairedReport& u : in.reports.unpaired) {
    if (ours(u.local_port, u.request_ns))
      add_source(u.peer_port, Direction::kIngress, u.request_ns, u.request_ns, 1, -1);
  }

  r.explained = MatchSources(sources, sources_of);

  // A loss report none of whose records explains a missing request is unattributed, and so are
  // counted drops that no report names.
  std::map<int, bool> report_used;
  for (const Source& s : sources)
    if (s.loss_report >= 0) report_used[s.loss_report] |= !s.assigned.empty();
  for (const auto& [report, used] : report_used)
    if (!used) r.unattributed_drops += in.reports.losses[static_cast<size_t>(report)].records();
  for (size_t i = 0; i < in.reports.losses.size(); ++i) {
    const LossReport& l = in.reports.losses[i];
    // Reports on connections with no measured request made no source at all.
    if (ours(l.local_port, l.last_ns) && !report_used.count(static_cast<int>(i)))
      r.unattributed_drops += l.records();
  }
  if (in.kernel_drops > reported) r.unattributed_drops += in.kernel_drops - reported;

  uint64_t matched = 0;
  for (size_t i = 0; i < in.truth.size(); ++i)
    if (in.truth_matched[i]) ++matched;
  r.missing = in.truth.size() - matched;
  r.silent_loss = r.missing - r.explained;
  r.sent_minus_captured = static_cast<int64_t>(in.requests_sent) - static_cast<int64_t>(matched);
  return r;
}

}  // namespace hugin::harness
