#include "harness/analyze/loss.h"

#include <algorithm>
#include <map>

namespace hugin::harness {
namespace {

// Requests of one connection (peer port) in time order, with the end of each one's window.
struct Connection {
  std::vector<size_t> requests;  // indices into truth
  std::vector<int64_t> window_end;
};

// Explains up to `capacity` missing, not yet explained requests of `conn` whose windows meet
// [from, to]; returns how many it explained.
uint64_t Explain(const Connection& conn, int64_t from, int64_t to, uint64_t capacity,
                 const std::vector<bool>& matched, std::vector<bool>& explained) {
  uint64_t used = 0;
  int64_t window_start = INT64_MIN;
  for (size_t k = 0; k < conn.requests.size() && used < capacity; ++k) {
    const int64_t window_end = conn.window_end[k];
    const bool meets = window_start < to && from <= window_end;
    window_start = window_end;
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
    for (size_t i : c.requests) c.window_end.push_back(in.truth[i].end_ns + kWindowSlackNs);
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
    const uint64_t used =
        it == conns.end() ? 0
                          : Explain(it->second, loss.first_ns, loss.last_ns, loss.records(),
                                    in.truth_matched, explained);
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
      Explain(it->second, gap.after_ns, gap.before_ns, 1, in.truth_matched, explained);
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
