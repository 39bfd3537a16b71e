// Span timing against the wire: joins Hugin's server spans to the HTTP exchanges a loopback
// capture saw (collect/wire_decode.h) and to the fixture's ground-truth log, and reports how far
// span start, end and duration are from the packets, and whether the span's processing time
// covers the handler. Pure functions (no process, no file).
//
// Join key: (client port, path, occurrence index of that pair in time order). With unique paths
// per request the index is always 0; with one path per run it is the request's rank on its
// keep-alive connection. When a (port, path) group holds different numbers of spans and
// exchanges (a lost span, a phantom), ranks no longer line up, so that group alone is joined by
// time instead: each span, in order, to the nearest unused exchange whose interval overlaps its
// own within kRealignSlackNs; the group is counted in realigned_groups and leftovers are
// unmatched (counted, never dropped silently).
#pragma once

#include <optional>
#include <vector>

#include "harness/model/records.h"
#include "harness/model/run_result.h"
#include "harness/model/wire.h"

namespace hugin::harness {

inline constexpr int64_t kRealignSlackNs = 1'000'000;

// A span's duration is "right" when |span - wire| <= max(1 ms, 5% of the wire duration).
inline constexpr int64_t kDurationToleranceFloorNs = 1'000'000;
inline constexpr double kDurationToleranceFraction = 0.05;
bool DurationWithinTolerance(int64_t span_duration_ns, int64_t wire_duration_ns);

// pcap time (CLOCK_REALTIME) to span time (CLOCK_MONOTONIC): minus the REALTIME-MONOTONIC
// offset, interpolated linearly between the readings at capture start and end (NTP may slew).
int64_t RealtimeToMonotonic(int64_t realtime_ns, const ClockPair& start, const ClockPair& end);

// One run. `wire` in pcap time as decoded; `truth` without aborted lines. Fills everything but
// `decode_error`; `capture` is copied in.
WireTiming AnalyzeWireTiming(const CaptureStats& capture, const std::vector<WireExchange>& wire,
                             const std::vector<SpanRecord>& spans,
                             const std::vector<GroundTruthRecord>& truth, int server_port);

struct SignedErrorStats {
  size_t n = 0;
  double p1 = 0, p50 = 0, p99 = 0, max_abs = 0;
};
SignedErrorStats ErrorStats(const std::vector<double>& values);

// Processing shorter than the handler by more than this is reported (it should cover it).
inline constexpr double kProcessingShortfallUs = 100;

// One step's hugin runs pooled (figures only from runs whose capture is valid).
struct WireTimingSummary {
  int runs = 0;                      // hugin runs with a capture
  int valid_runs = 0;
  std::string invalid_reason;        // the first invalid run's, "" when all are valid
  uint64_t packets = 0, dropped = 0; // hugin runs' captures
  uint64_t baseline_packets = 0, baseline_dropped = 0;  // the baseline runs' captures
  // dumpcap's CPU per ground-truth request, over every captured run (baseline and hugin): what
  // the capture takes from the two cores the fixture, the load tool and the agent share.
  double capture_cpu_us_per_request = 0;
  double max_abs_clock_drift_us = 0;     // |offset at end - offset at start|, worst run
  double max_clock_uncertainty_us = 0;   // half the widest kept clock window
  uint64_t wire_exchanges = 0, wire_incomplete = 0, spans = 0, joined = 0;
  uint64_t unmatched_spans = 0, unmatched_exchanges = 0, realigned_groups = 0;
  SignedErrorStats start_error_us, end_error_us, duration_error_us;
  uint64_t within_tolerance = 0;
  double within_tolerance_fraction = 0;  // within / spans (an unjoined span is not within)
  uint64_t outside_first_on_connection = 0;  // of the joined spans outside: first on their port
  SignedErrorStats processing_minus_handler_us;
  uint64_t processing_negative_over_100us = 0;
  uint64_t processing_unjoined = 0;
  std::vector<double> duration_errors_us;  // pooled, for the histogram
  bool valid() const { return runs > 0 && valid_runs == runs; }
};

// nullopt when no run of the step had a capture.
std::optional<WireTimingSummary> SummarizeWireTiming(int rate, const std::vector<RunResult>& runs);

}  // namespace hugin::harness
