#include "harness/analyze/timing.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <string>

#include "harness/util/stats.h"

namespace hugin::harness {
namespace {

// One side of a join: an interval keyed by (port, path), pointing back into its vector.
struct Item {
  int port = 0;
  const std::string* path = nullptr;
  int64_t start = 0, end = 0;
  size_t index = 0;
};

struct JoinResult {
  std::vector<std::pair<size_t, size_t>> pairs;  // (left index, right index)
  size_t realigned_groups = 0;
};

JoinResult Join(const std::vector<Item>& left, const std::vector<Item>& right, int64_t slack_ns) {
  using Key = std::pair<int, std::string>;
  std::map<Key, std::pair<std::vector<const Item*>, std::vector<const Item*>>> groups;
  for (const auto& i : left) groups[{i.port, *i.path}].first.push_back(&i);
  for (const auto& i : right) groups[{i.port, *i.path}].second.push_back(&i);
  JoinResult r;
  auto by_start = [](const Item* a, const Item* b) { return a->start < b->start; };
  for (auto& [key, sides] : groups) {
    auto& [l, rt] = sides;
    if (l.empty() || rt.empty()) continue;
    std::stable_sort(l.begin(), l.end(), by_start);
    std::stable_sort(rt.begin(), rt.end(), by_start);
    if (l.size() == rt.size()) {  // occurrence index
      for (size_t k = 0; k < l.size(); ++k) r.pairs.push_back({l[k]->index, rt[k]->index});
      continue;
    }
    // Counts differ: each left item, in order, takes the nearest unused right item (smallest
    // |start difference| + |end difference|) among those overlapping it within the slack. The
    // nearest, not the first: on a busy connection the exchange before, whose span was lost,
    // also lies within the slack.
    ++r.realigned_groups;
    std::vector<bool> used(rt.size(), false);
    size_t first_open = 0;
    for (const Item* a : l) {
      while (first_open < rt.size() &&
             (used[first_open] || rt[first_open]->end + slack_ns < a->start))
        ++first_open;
      size_t best = rt.size();
      int64_t best_distance = INT64_MAX;
      for (size_t k = first_open; k < rt.size() && rt[k]->start - slack_ns <= a->end; ++k) {
        if (used[k] || rt[k]->end + slack_ns < a->start) continue;
        const int64_t distance = std::abs(rt[k]->start - a->start) + std::abs(rt[k]->end - a->end);
        if (distance < best_distance) {
          best = k;
          best_distance = distance;
        }
      }
      if (best == rt.size()) continue;
      used[best] = true;
      r.pairs.push_back({a->index, rt[best]->index});
    }
  }
  return r;
}

double Us(int64_t ns) { return static_cast<double>(ns) / 1e3; }

}  // namespace

bool DurationWithinTolerance(int64_t span_duration_ns, int64_t wire_duration_ns) {
  const double tolerance = std::max<double>(
      kDurationToleranceFloorNs, kDurationToleranceFraction * static_cast<double>(wire_duration_ns));
  return std::abs(static_cast<double>(span_duration_ns - wire_duration_ns)) <= tolerance;
}

int64_t RealtimeToMonotonic(int64_t realtime_ns, const ClockPair& start, const ClockPair& end) {
  const int64_t o0 = start.offset_ns(), o1 = end.offset_ns();
  const int64_t span = end.realtime_ns - start.realtime_ns;
  if (span <= 0 || o0 == o1) return realtime_ns - o0;
  const double f =
      std::clamp(static_cast<double>(realtime_ns - start.realtime_ns) / static_cast<double>(span), 0.0, 1.0);
  return realtime_ns - (o0 + static_cast<int64_t>(std::llround(f * static_cast<double>(o1 - o0))));
}

WireTiming AnalyzeWireTiming(const CaptureStats& capture, const std::vector<WireExchange>& wire,
                             const std::vector<SpanRecord>& spans,
                             const std::vector<GroundTruthRecord>& truth, int server_port) {
  WireTiming t;
  t.capture = capture;

  std::vector<Item> span_items;
  for (size_t i = 0; i < spans.size(); ++i) {
    const SpanRecord& s = spans[i];
    if (s.kind != "server" || s.local_port != server_port) continue;
    span_items.push_back({s.peer_port, &s.path, s.start_ns, s.end_ns, i});
  }
  t.spans = span_items.size();

  std::vector<Item> wire_items;
  std::vector<int64_t> start_mono(wire.size()), end_mono(wire.size());
  for (size_t i = 0; i < wire.size(); ++i) {
    const WireExchange& x = wire[i];
    if (!x.complete) {
      ++t.wire_incomplete;
      continue;
    }
    start_mono[i] = RealtimeToMonotonic(x.request_start_ns, capture.clock_start, capture.clock_end);
    end_mono[i] = RealtimeToMonotonic(x.response_end_ns, capture.clock_start, capture.clock_end);
    wire_items.push_back({x.client_port, &x.path, start_mono[i], end_mono[i], i});
  }
  t.wire_exchanges = wire_items.size();

  const JoinResult joined = Join(span_items, wire_items, kRealignSlackNs);
  t.joined = joined.pairs.size();
  t.realigned_groups = joined.realigned_groups;
  t.unmatched_spans = t.spans - t.joined;
  t.unmatched_exchanges = t.wire_exchanges - t.joined;
  std::map<int, int64_t> first_start_of_port;
  for (const Item& i : span_items) {
    auto [it, fresh] = first_start_of_port.try_emplace(i.port, i.start);
    if (!fresh) it->second = std::min(it->second, i.start);
  }
  for (const auto& [si, wi] : joined.pairs) {
    const SpanRecord& s = spans[si];
    const int64_t wire_duration = end_mono[wi] - start_mono[wi];
    const int64_t span_duration = s.duration_ns;
    t.start_error_us.push_back(Us(s.start_ns - start_mono[wi]));
    t.end_error_us.push_back(Us(s.end_ns - end_mono[wi]));
    t.duration_error_us.push_back(Us(span_duration - wire_duration));
    if (DurationWithinTolerance(span_duration, wire_duration)) ++t.within_tolerance;
    else if (first_start_of_port[s.peer_port] == s.start_ns) ++t.outside_first_on_connection;
  }

  // Processing vs the handler: spans joined to the ground truth by the same key.
  std::vector<Item> truth_items;
  for (size_t i = 0; i < truth.size(); ++i)
    truth_items.push_back({truth[i].peer_port, &truth[i].path, truth[i].start_ns, truth[i].end_ns, i});
  const JoinResult with_truth = Join(span_items, truth_items, kRealignSlackNs);
  size_t measured = 0;
  for (const auto& [si, gi] : with_truth.pairs) {
    const SpanRecord& s = spans[si];
    if (!s.processing_ns) continue;
    ++measured;
    t.processing_minus_handler_us.push_back(Us(*s.processing_ns - (truth[gi].end_ns - truth[gi].start_ns)));
  }
  t.processing_unjoined = t.spans - measured;
  return t;
}

SignedErrorStats ErrorStats(const std::vector<double>& values) {
  SignedErrorStats s;
  s.n = values.size();
  if (values.empty()) return s;
  s.p1 = Percentile(values, 1);
  s.p50 = Percentile(values, 50);
  s.p99 = Percentile(values, 99);
  for (double v : values) s.max_abs = std::max(s.max_abs, std::abs(v));
  return s;
}

std::optional<WireTimingSummary> SummarizeWireTiming(int rate, const std::vector<RunResult>& runs) {
  WireTimingSummary w;
  bool any = false;
  std::vector<double> start, end, processing;
  double capture_cpu_us = 0, captured_requests = 0;
  for (const RunResult& r : runs) {
    if (!r.ok || r.rate != rate || !r.wire || !r.wire->capture.ran) continue;
    any = true;
    const WireTiming& t = *r.wire;
    capture_cpu_us += t.capture.cpu_us;
    captured_requests += double(r.requests_served);
    if (r.arm == Arm::kBaseline) {
      w.baseline_packets += t.capture.packets;
      w.baseline_dropped += t.capture.dropped + t.capture.interface_dropped;
      continue;
    }
    if (r.arm != Arm::kHugin) continue;
    ++w.runs;
    w.packets += t.capture.packets;
    w.dropped += t.capture.dropped + t.capture.interface_dropped;
    w.max_abs_clock_drift_us =
        std::max(w.max_abs_clock_drift_us, std::abs(Us(t.capture.clock_drift_ns())));
    w.max_clock_uncertainty_us = std::max(
        {w.max_clock_uncertainty_us, Us(t.capture.clock_start.window_ns) / 2,
         Us(t.capture.clock_end.window_ns) / 2});
    if (!t.valid()) {
      if (w.invalid_reason.empty()) w.invalid_reason = t.invalid_reason();
      continue;
    }
    ++w.valid_runs;
    w.wire_exchanges += t.wire_exchanges;
    w.wire_incomplete += t.wire_incomplete;
    w.spans += t.spans;
    w.joined += t.joined;
    w.unmatched_spans += t.unmatched_spans;
    w.unmatched_exchanges += t.unmatched_exchanges;
    w.realigned_groups += t.realigned_groups;
    w.within_tolerance += t.within_tolerance;
    w.outside_first_on_connection += t.outside_first_on_connection;
    w.processing_unjoined += t.processing_unjoined;
    start.insert(start.end(), t.start_error_us.begin(), t.start_error_us.end());
    end.insert(end.end(), t.end_error_us.begin(), t.end_error_us.end());
    w.duration_errors_us.insert(w.duration_errors_us.end(), t.duration_error_us.begin(),
                                t.duration_error_us.end());
    processing.insert(processing.end(), t.processing_minus_handler_us.begin(),
                      t.processing_minus_handler_us.end());
  }
  if (!any) return std::nullopt;
  w.capture_cpu_us_per_request = captured_requests ? capture_cpu_us / captured_requests : 0;
  w.start_error_us = ErrorStats(start);
  w.end_error_us = ErrorStats(end);
  w.duration_error_us = ErrorStats(w.duration_errors_us);
  w.processing_minus_handler_us = ErrorStats(processing);
  w.processing_negative_over_100us = static_cast<uint64_t>(std::count_if(
      processing.begin(), processing.end(), [](double v) { return v < -kProcessingShortfallUs; }));
  w.within_tolerance_fraction = w.spans ? double(w.within_tolerance) / double(w.spans) : 0;
  return w;
}

}  // namespace hugin::harness
