#include "harness/analyze/loss.h"

#include <algorithm>
#include <cstdint>
#include <map>

namespace hugin::harness {
namespace {

// Requests of one connection (peer port) in time order.
struct Connection {
  std::vector<size_t> requests;  // indices into truth
};

enum class Direction { kIngress, kEgress, kEither };

// Explains up to `capacity` missing, not yet explained requests of `conn` whose window of
// `dir` meets [from, to]; returns how many it explained.
uint64_t Explain(const Connection& conn, const std::vector<GroundTruthRecord>& truth,
                 Direction dir, int64_t from, int64_t to, uint64_t capacity,
                 const std::vector<bool>& matched, std::vector<bool>& explained) {
  uint64_t used = 0;
  const size_t n = conn.requests.size();
  for (size_t k = 0; k < n && used < capacity; ++k) {
    const GroundTruthRecord& g = truth[conn.requests[k]];
    const int64_t ingress_lo = k > 0 ? truth[conn.requests[k - 1]].end_ns : INT64_MIN;
    const int64_t egress_hi = k + 1 < n ? truth[conn.requests[k + 1]].start_ns : INT64_MAX;
    const bool ingress = ingress_lo < to && from <= g.end_ns;
    const bool egress = g.start_ns <= to && from < egress_hi;
    const bool meets = dir == Direction::kIngress  ? ingress
                       : dir == Direction::kEgress ? egress
                                                   : ingress || egress;
    const size_t i = conn.requests[k];
    if (!meets || matched[i] || explained[i]) continue;
    explained[i] = true;
    ++used;
  }
  return used;
}

}  // namespace

LossResult AccountLoss(const LossInput& in) {
  LossResult r;
  std::map<int, Connection> conns;
  for (size_t i = 0; i < in.truth.size(); ++i) conns[in.truth[i].peer_port].requests.push_back(i);
  for (auto& [port, c] : conns) {
    std::sort(c.requests.begin(), c.requests.end(),
              [&](size_t a, size_t b) { return in.truth[a].start_ns < in.truth[b].start_ns; });
  }
  std::vector<bool> explained(in.truth.size(), false);
  uint64_t reported = 0;
  auto ours = [&](int local_port, int64_t last_ns) {
    return local_port == in.server_port && last_ns >= in.measured_start_ns;
  };
  for (const LossReport& loss : in.reports.losses) {
    if (!ours(loss.local_port, loss.last_ns)) continue;
    reported += loss.records();
    auto it = conns.find(loss.peer_port);
    uint64_t used = 0;
    if (it != conns.end()) {
      auto explain = [&](Direction dir, uint64_t records) {
        return records ? Explain(it->second, in.truth, dir, loss.first_ns, loss.last_ns, records,
                                 in.truth_matched, explained)
                       : 0;
      };
      used = explain(Direction::kIngress, loss.ingress_records) +
             explain(Direction::kEgress, loss.egress_records) +
             explain(Direction::kEither, loss.control_records);
    }
    if (used == 0) r.unattributed_drops += loss.records();
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
    if (known) continue;
    auto it = conns.find(gap.peer_port);
    if (it != conns.end())
      Explain(it->second, in.truth, gap.ingress ? Direction::kIngress : Direction::kEgress,
              gap.after_ns, gap.before_ns, 1, in.truth_matched, explained);
  }
  // A request the agent saw but could not pair (records lost around it) explains itself: the
  // one request on its connection whose ingress window holds the moment it was read.
  for (const UnpairedReport& u : in.reports.unpaired) {
    if (!ours(u.local_port, u.request_ns)) continue;
    auto it = conns.find(u.peer_port);
    if (it != conns.end())
      Explain(it->second, in.truth, Direction::kIngress, u.request_ns, u.request_ns, 1,
              in.truth_matched, explained);
  }
  // Counted drops that no report names cannot explain anything.
  if (in.kernel_drops > reported) r.unattributed_drops += in.kernel_drops - reported;

  uint64_t matched = 0;
  for (size_t i = 0; i < in.truth.size(); ++i) {
    if (in.truth_matched[i]) {
      ++matched;
    } else {
      ++r.missing;
      if (explained[i]) ++r.explained;
    }
  }
  r.silent_loss = r.missing - r.explained;
  r.sent_minus_captured = static_cast<int64_t>(in.requests_sent) - static_cast<int64_t>(matched);
  return r;
}

}  // namespace hugin::harness
