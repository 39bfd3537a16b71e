// What one measured run produced: the load tool's figures, resources, the agent's counters and
// the per-run analysis (matching, loss). Plain data shared by the runner, analysis and reports.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/model/arm.h"
#include "harness/model/profile.h"
#include "harness/model/wire.h"

namespace hugin::harness {

struct LoadResult {
  double requests = 0;        // completed requests
  double duration_s = 0;
  double throughput_rps = 0;
  double p50_us = 0, p90_us = 0, p99_us = 0;
  double errors = 0;          // requests without an answer: connect/read/write errors, timeouts
  double non_2xx = 0;         // responses with a status outside 2xx/3xx
  double tool_cpu_us = 0;     // the load tool's own CPU (user + system)
};

// One BPF program's kernel.bpf_stats figures (cumulative, or a delta over a window).
struct BpfProgramStats {
  std::string name;   // e.g. hg_sys_exit
  uint64_t run_time_ns = 0;
  uint64_t run_cnt = 0;
};

struct BpfStats {
  uint64_t run_time_ns = 0;
  uint64_t run_cnt = 0;
  int programs = 0;
  std::vector<BpfProgramStats> per_program;  // sorted by name; several of one name are summed
};

struct FieldMismatches {
  size_t method = 0, path = 0, status = 0, req_bytes = 0, resp_bytes = 0;
};

struct MatchResult {
  // true: spans were joined to requests by the identity in their paths (model/identity.h);
  // false: by client port and time overlap (gRPC, whose path is the method), or identities were
  // not unique in the run.
  bool identity_matched = false;
  size_t requests = 0;        // ground-truth records of the measured load
  size_t spans = 0;           // server spans on the fixture's port (warm-up spans left out)
  size_t matched = 0;         // requests with their span: same identity, peer port, overlapping
  size_t field_matched = 0;   // matched with method, path, status and both sizes equal
  size_t phantom = 0;         // spans no request explains (by identity: whose path names none)
  // Identity matching only. misattributed: spans naming a request whose peer port differs or
  // whose interval does not overlap the handler's (not matched: the agent gave them to the wrong
  // request); duplicate_spans: further spans naming an already matched request.
  size_t misattributed = 0;
  size_t duplicate_spans = 0;
  FieldMismatches mismatches;
  // span duration - handler duration, per matched request (ns). The span covers the socket
  // reads and writes around the handler, so the delta is expected positive and small.
  std::vector<double> duration_delta_ns;
  // Per ground-truth record (in the order given to the matcher): a span was matched to it.
  std::vector<bool> truth_matched;

  double capture_rate() const { return requests ? double(matched) / double(requests) : 0; }
  // Of the spans that named a request, the share right in every respect: a misattributed span
  // counts as wrong.
  double field_match_rate() const {
    return matched + misattributed ? double(field_matched) / double(matched + misattributed) : 0;
  }
};

struct LossResult {
  uint64_t missing = 0;          // served - matched
  uint64_t explained = 0;        // missing requests a counted drop can account for
  uint64_t silent_loss = 0;      // missing - explained
  uint64_t unattributed_drops = 0;  // counted drops that explain no missing request
  int64_t sent_minus_captured = 0;  // load tool's count - matched (may include aborted requests)
};

// Hugin's own counters read from its /metrics (deltas over the load window where it matters).
struct AgentCounters {
  double events_received = 0;
  double spans = 0;
  double parse_errors = 0;
  double stream_gaps = 0;
  double payload_truncated = 0;
  double kernel_exchanges = 0;  // HTTP/1 exchanges aggregated in the kernel (no records)
  std::map<std::string, double> kernel_drops_by_reason;
  double kernel_drops() const {
    double sum = 0;
    for (const auto& [reason, value] : kernel_drops_by_reason) sum += value;
    return sum;
  }
};

struct RunResult {
  Arm arm = Arm::kBaseline;
  int pair = 0;      // 1-based repetition; 0 for the probe-time run
  // kernel.bpf_stats_enabled was on (it costs every program run): the one Hugin run per step that
  // measures probe time. It is not part of any pair, so it never enters an overhead ratio.
  bool probe_run = false;
  // perf recorded the service (and the agent): one extra run per arm and step, pair 0, in no pair
  // and no figure but the cost breakdown (perf's sampling costs the profiled processes).
  bool profile_run = false;
  int rate = 0;      // offered requests/s, 0 = saturation
  std::string data_path;  // agent runs: where its kernel side saw data calls (its stderr)
  bool ok = false;
  std::string error;
  std::string dir;

  LoadResult load;
  double fixture_cpu_us = 0;        // fixture process tree, during the load
  uint64_t requests_served = 0;     // ground-truth lines of complete exchanges
  uint64_t client_aborted = 0;      // ground-truth lines marked aborted: excluded from the above
  uint64_t warmup_requests = 0;     // served during the warm-up load: excluded from every figure
  double steal_percent = 0;         // hypervisor steal over the measured load, all CPUs

  // hugin arm
  double agent_cpu_us = 0;          // during the load and the drain after it
  uint64_t agent_rss_bytes = 0;     // VmHWM at the end, the agent's processes summed
  uint64_t agent_pss_bytes = 0;     // PSS at the end of the load, summed (shared pages once)
  BpfStats bpf;                     // delta over the load window, programs named hg_*
  AgentCounters counters;           // deltas over the load window
  MatchResult match;
  LossResult loss;
  std::optional<double> prometheus_count;  // what Prometheus stored for the run
  std::optional<double> prometheus_rate;   // its rate() over the load window, requests/s
  std::string prometheus_error;

  // Planted faults the agent reported at exit (HUGIN_FAULT), only for the selftest comparison.
  std::optional<uint64_t> injected_dropped_spans, injected_swapped_statuses;

  // Profile runs only: the service's and (agent arms) the agent's perf profile.
  std::optional<Profile> service_profile, agent_profile;

  // otel arm: server spans the OpenTelemetry SDK ended
  std::optional<double> otel_spans;

  // Fixed-rate plain-HTTP scenarios: the loopback capture (every arm) and, for the hugin arm,
  // the span timing against it (analyze/timing.h).
  std::optional<WireTiming> wire;
};

}  // namespace hugin::harness
