// The wire oracle's data: HTTP exchanges seen in a loopback packet capture (decoded by tshark,
// independent of Hugin's parser), the clock readings that map pcap time (CLOCK_REALTIME) to
// span time (CLOCK_MONOTONIC), and what one run's comparison of spans with the wire produced.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace hugin::harness {

// One request/response exchange on the wire. Times are the pcap's: CLOCK_REALTIME ns.
struct WireExchange {
  int client_port = 0;
  std::string method;
  std::string path;                 // request target without the query
  int status = 0;                   // final (non-1xx) status; 0 when no response was seen
  int64_t request_start_ns = 0;     // first segment carrying the request's bytes
  int64_t response_end_ns = 0;      // last segment carrying the response's bytes
  int64_t request_first_frame = 0;  // frame numbers in the pcap (1-based), for reading it back
  int64_t response_last_frame = 0;
  // A response was seen and it carried at least its Content-Length in bytes. Incomplete
  // exchanges (in flight when the load tool closed its connections) are not joined.
  bool complete = false;
};

// A reading of CLOCK_REALTIME taken between two CLOCK_MONOTONIC readings; of several samples the
// tightest (smallest monotonic window) is kept.
struct ClockPair {
  int64_t realtime_ns = 0;
  int64_t monotonic_ns = 0;  // midpoint of the two monotonic readings
  int64_t window_ns = 0;     // their distance: the pair's uncertainty is half of it
  int64_t offset_ns() const { return realtime_ns - monotonic_ns; }
};

// The capture process's own account: a capture that dropped packets makes the oracle invalid.
struct CaptureStats {
  bool ran = false;            // a capture was started for this run
  uint64_t packets = 0;        // written to the pcap
  uint64_t received = 0;       // seen by the filter
  uint64_t dropped = 0;        // dumpcap's "dropped" (pcap + dumpcap + flushed)
  uint64_t interface_dropped = 0;  // ps_ifdrop
  double cpu_us = 0;           // dumpcap's own CPU time (user + system) over the capture
  ClockPair clock_start, clock_end;
  std::string error;           // could not start, stop or read the statistics
  bool valid() const { return ran && error.empty() && dropped == 0 && interface_dropped == 0; }
  int64_t clock_drift_ns() const { return clock_end.offset_ns() - clock_start.offset_ns(); }
};

// One run's comparison of Hugin's server spans with the wire and with the fixture's handler.
// Errors are signed, span minus wire, in microseconds.
struct WireTiming {
  CaptureStats capture;
  std::string decode_error;         // tshark failed or its output did not parse
  size_t wire_exchanges = 0;        // complete exchanges on the wire
  size_t wire_incomplete = 0;       // requests without a (complete) response
  size_t spans = 0;                 // server spans on the fixture's port
  size_t joined = 0;                // spans joined to a wire exchange
  size_t unmatched_spans = 0;       // spans no wire exchange explains
  size_t unmatched_exchanges = 0;   // wire exchanges without a span
  // (port, path) groups whose span and wire counts differed, joined by time overlap instead of
  // by occurrence index (see analyze/timing.h).
  size_t realigned_groups = 0;
  std::vector<double> start_error_us;     // span start - wire request start
  std::vector<double> end_error_us;       // span end - wire response end
  std::vector<double> duration_error_us;  // span duration - wire duration
  size_t within_tolerance = 0;            // |duration error| <= max(1 ms, 5% of wire duration)
  // Joined spans outside the tolerance that are the first span of their client port: Hugin does
  // not see the queue time of a connection's first request (README "Known limits").
  size_t outside_first_on_connection = 0;
  // span processing_ns - handler time (ground truth end - start), per span joined to the log.
  std::vector<double> processing_minus_handler_us;
  size_t processing_unjoined = 0;   // spans with no ground-truth line (or no processing_ns)

  bool valid() const { return capture.valid() && decode_error.empty(); }
  std::string invalid_reason() const;
};

inline std::string WireTiming::invalid_reason() const {
  if (!capture.ran) return "no capture ran";
  if (!capture.error.empty()) return "capture: " + capture.error;
  if (capture.dropped || capture.interface_dropped)
    return "the capture dropped " + std::to_string(capture.dropped + capture.interface_dropped) +
           " packets: timing figures invalid";
  if (!decode_error.empty()) return "decode: " + decode_error;
  return "";
}

}  // namespace hugin::harness
