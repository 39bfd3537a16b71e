#include "harness/analyze/summary.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

#include "harness/util/fixed_point.h"
#include "harness/util/stats.h"

namespace hugin::harness {
namespace {

const RunResult* FindRun(const std::vector<const RunResult*>& runs, Arm arm, int pair) {
  for (const RunResult* r : runs)
    if (r->arm == arm && r->pair == pair) return r;
  return nullptr;
}

// (service + agent + load tool CPU) per request of one run, µs.
double CpuPerRequestUs(const RunResult& r) {
  if (!r.requests_served) return 0;
  return (r.fixture_cpu_us + r.agent_cpu_us + r.load.tool_cpu_us) / double(r.requests_served);
}

// Per-pair ratios: their geometric mean; per-pair differences: their mean; each with its
// bootstrap interval. Nothing when no pair has the figure.
std::optional<Estimate> RatioEstimate(const std::vector<double>& v) {
  if (v.empty()) return std::nullopt;
  return Estimate{GeometricMean(v), BootstrapGeometricMeanCi95(v)};
}

std::optional<Estimate> DifferenceEstimate(const std::vector<double>& v) {
  if (v.empty()) return std::nullopt;
  return Estimate{Mean(v), BootstrapMeanCi95(v)};
}

// The pairs' values of one figure (the pairs that have it).
template <typename Get>
std::vector<double> PairValues(const std::vector<PairFigures>& pairs, Get get) {
  std::vector<double> v;
  for (const auto& p : pairs)
    if (std::optional<double> x = get(p)) v.push_back(*x);
  return v;
}

std::vector<double> PairValues(const std::vector<PairFigures>& pairs,
                               std::optional<double> PairFigures::*field) {
  return PairValues(pairs, [field](const PairFigures& p) { return p.*field; });
}

// A stage arm's value in one pair's map.
std::vector<double> PairValues(const std::vector<PairFigures>& pairs,
                               std::map<Arm, double> PairFigures::*by_arm, Arm arm) {
  return PairValues(pairs, [by_arm, arm](const PairFigures& p) -> std::optional<double> {
    auto it = (p.*by_arm).find(arm);
    if (it == (p.*by_arm).end()) return std::nullopt;
    return it->second;
  });
}

std::optional<Estimate> RatioEstimate(const std::vector<PairFigures>& pairs,
                                      std::optional<double> PairFigures::*field) {
  return RatioEstimate(PairValues(pairs, field));
}

std::optional<Estimate> DifferenceEstimate(const std::vector<PairFigures>& pairs,
                                           std::optional<double> PairFigures::*field) {
  return DifferenceEstimate(PairValues(pairs, field));
}


}  // namespace

const char* VerdictStatusName(VerdictStatus s) {
  switch (s) {
    case VerdictStatus::kPass: return "PASS";
    case VerdictStatus::kFail: return "FAIL";
    case VerdictStatus::kExpectedUnsupported: return "EXPECTED-UNSUPPORTED";
    case VerdictStatus::kUnexpectedPass: return "UNEXPECTED-PASS";
  }
  return "?";
}

bool ScenarioSummary::passed() const {
  return errors.empty() && std::none_of(verdicts.begin(), verdicts.end(), [](const Verdict& v) {
           return v.status == VerdictStatus::kFail || v.status == VerdictStatus::kUnexpectedPass;
         });
}

StepSummary SummarizeStep(int rate, const std::vector<RunResult>& runs) {
  StepSummary st;
  st.rate = rate;
  // Paired runs (probe-time runs excluded: bpf_stats slows every program run).
  std::map<Arm, std::vector<const RunResult*>> by_arm;
  std::vector<const RunResult*> paired, hugin_all;
  for (const auto& r : runs) {
    // Profile runs (perf attached) feed the cost breakdown only.
    if (!r.ok || r.rate != rate || r.profile_run) continue;
    if (r.arm == Arm::kHugin) hugin_all.push_back(&r);
    if (r.probe_run) continue;
    by_arm[r.arm].push_back(&r);
    paired.push_back(&r);
    st.steal_percent_max = std::max(st.steal_percent_max, r.steal_percent);
  }

  for (const auto& [arm, list] : by_arm) {
    ArmSummary a;
    std::vector<double> tput, p50, p90, p99, cpu;
    for (const RunResult* r : list) {
      tput.push_back(r->load.throughput_rps);
      p50.push_back(r->load.p50_us);
      p90.push_back(r->load.p90_us);
      p99.push_back(r->load.p99_us);
      if (r->requests_served) cpu.push_back(r->fixture_cpu_us / double(r->requests_served));
      a.requests += double(r->requests_served);
    }
    a.runs = static_cast<int>(list.size());
    a.throughput_rps = Median(tput);
    a.p50_us = Median(p50);
    a.p90_us = Median(p90);
    a.p99_us = Median(p99);
    a.fixture_cpu_us_per_request = Median(cpu);
    st.arms[arm] = a;
  }
  std::set<int> pair_numbers;
  for (const RunResult* r : paired) pair_numbers.insert(r->pair);
  for (int n : pair_numbers) {
    PairFigures pf;
    pf.pair = n;
    const RunResult* base = FindRun(paired, Arm::kBaseline, n);
    auto fill = [&](Arm arm, std::optional<double>& tput, std::optional<double>* p50,
                    std::optional<double>& p99, std::optional<double>& cpu) {
      const RunResult* r = FindRun(paired, arm, n);
      if (!r || !base) return;
      if (base->load.throughput_rps > 0) tput = r->load.throughput_rps / base->load.throughput_rps;
      if (p50 && base->load.p50_us > 0) *p50 = r->load.p50_us / base->load.p50_us;
      if (base->load.p99_us > 0) p99 = r->load.p99_us / base->load.p99_us;
      if (base->requests_served && r->requests_served)
        cpu = CpuPerRequestUs(*r) - CpuPerRequestUs(*base);
    };
    fill(Arm::kHugin, pf.throughput_ratio, &pf.p50_latency_ratio, pf.p99_latency_ratio,
         pf.added_cpu_us_per_request);
    fill(Arm::kOtel, pf.otel_throughput_ratio, nullptr, pf.otel_p99_latency_ratio,
         pf.otel_added_cpu_us_per_request);
    fill(Arm::kHuginMetrics, pf.metrics_throughput_ratio, nullptr, pf.metrics_p99_latency_ratio,
         pf.metrics_added_cpu_us_per_request);
    fill(Arm::kHookFloor, pf.floor_throughput_ratio, nullptr, pf.floor_p99_latency_ratio,
         pf.floor_added_cpu_us_per_request);
    for (const Arm stage : kLadderArms) {
      std::optional<double> tput, p99, cpu;
      fill(stage, tput, nullptr, p99, cpu);
      if (tput) pf.stage_throughput_ratio[stage] = *tput;
      if (cpu) pf.stage_added_cpu_us_per_request[stage] = *cpu;
    }
    st.pairs.push_back(pf);
  }
  st.throughput_ratio = RatioEstimate(st.pairs, &PairFigures::throughput_ratio);
  st.p50_latency_ratio = RatioEstimate(st.pairs, &PairFigures::p50_latency_ratio);
  st.p99_latency_ratio = RatioEstimate(st.pairs, &PairFigures::p99_latency_ratio);
  st.otel_throughput_ratio = RatioEstimate(st.pairs, &PairFigures::otel_throughput_ratio);
  st.otel_p99_latency_ratio = RatioEstimate(st.pairs, &PairFigures::otel_p99_latency_ratio);
  st.added_cpu_us_per_request = DifferenceEstimate(st.pairs, &PairFigures::added_cpu_us_per_request);
  st.otel_added_cpu_us_per_request =
      DifferenceEstimate(st.pairs, &PairFigures::otel_added_cpu_us_per_request);
  st.metrics_throughput_ratio = RatioEstimate(st.pairs, &PairFigures::metrics_throughput_ratio);
  st.metrics_p99_latency_ratio = RatioEstimate(st.pairs, &PairFigures::metrics_p99_latency_ratio);
  st.metrics_added_cpu_us_per_request =
      DifferenceEstimate(st.pairs, &PairFigures::metrics_added_cpu_us_per_request);
  st.metrics_only = SummarizeMetricsArm(rate, runs);
  st.floor_throughput_ratio = RatioEstimate(st.pairs, &PairFigures::floor_throughput_ratio);
  st.floor_p99_latency_ratio = RatioEstimate(st.pairs, &PairFigures::floor_p99_latency_ratio);
  st.floor_added_cpu_us_per_request =
      DifferenceEstimate(st.pairs, &PairFigures::floor_added_cpu_us_per_request);
  for (const Arm stage : kLadderArms) {
    if (auto e = RatioEstimate(PairValues(st.pairs, &PairFigures::stage_throughput_ratio, stage)))
      st.stage_throughput_ratio[stage] = *e;
    if (auto e = DifferenceEstimate(
            PairValues(st.pairs, &PairFigures::stage_added_cpu_us_per_request, stage)))
      st.stage_added_cpu_us_per_request[stage] = *e;
  }

  double otel_spans = 0, otel_requests = 0;
  bool have_otel = false;
  for (const RunResult* r : by_arm[Arm::kOtel]) {
    if (!r->otel_spans) continue;
    have_otel = true;
    otel_spans += *r->otel_spans;
    otel_requests += double(r->requests_served + r->warmup_requests);  // the SDK counts both
  }
  if (have_otel && otel_requests > 0) st.otel_capture_rate = otel_spans / otel_requests;

  // Correctness figures from every Hugin run (the probe-time run too); cost figures from the
  // paired runs, probe time from the probe-time run.
  double bpf_ns = 0, bpf_cnt = 0, probe_requests = 0, agent_cpu = 0, events = 0,
         paired_requests = 0;
  st.injected_known = !hugin_all.empty();
  for (const RunResult* r : hugin_all) {
    st.requests += r->match.requests;
    st.spans += r->match.spans;
    st.matched += r->match.matched;
    st.field_matched += r->match.field_matched;
    st.phantom += r->match.phantom;
    st.misattributed += r->match.misattributed;
    st.duplicate_spans += r->match.duplicate_spans;
    st.warmup_requests += r->warmup_requests;
    st.missing += r->loss.missing;
    st.silent_loss += r->loss.silent_loss;
    st.kernel_drops += r->counters.kernel_drops();
    for (const auto& [reason, v] : r->counters.kernel_drops_by_reason)
      st.kernel_drops_by_reason[reason] += v;
    st.stream_gaps += r->counters.stream_gaps;
    st.parse_errors += r->counters.parse_errors;
    st.payload_truncated += r->counters.payload_truncated;
    st.mismatches.method += r->match.mismatches.method;
    st.mismatches.path += r->match.mismatches.path;
    st.mismatches.status += r->match.mismatches.status;
    st.mismatches.req_bytes += r->match.mismatches.req_bytes;
    st.mismatches.resp_bytes += r->match.mismatches.resp_bytes;
    for (double d : r->match.duration_delta_ns) st.duration_deltas_us.push_back(d / 1e3);
    if (r->probe_run) {
      bpf_ns += double(r->bpf.run_time_ns);
      bpf_cnt += double(r->bpf.run_cnt);
      probe_requests += double(r->requests_served);
    } else {
      agent_cpu += r->agent_cpu_us;
      events += r->counters.events_received;
      paired_requests += double(r->requests_served);
    }
    st.agent_rss_bytes = std::max(st.agent_rss_bytes, r->agent_rss_bytes);
    st.agent_pss_bytes = std::max(st.agent_pss_bytes, r->agent_pss_bytes);
    st.unattributed_drops += r->loss.unattributed_drops;
    if (r->injected_dropped_spans && r->injected_swapped_statuses) {
      st.injected_dropped_spans += *r->injected_dropped_spans;
      st.injected_swapped_statuses += *r->injected_swapped_statuses;
    } else {
      st.injected_known = false;
    }
  }
  const PrometheusErrors prom = PrometheusErrorsOf(hugin_all);
  st.prometheus_count_error = prom.count_error;
  st.prometheus_rate_error = prom.rate_error;
  st.prometheus_error = prom.error;
  if (st.requests) st.capture_rate = double(st.matched) / double(st.requests);
  if (probe_requests > 0) {
    st.probe_ns_per_request = bpf_ns / probe_requests;
    st.probe_runs_per_request = bpf_cnt / probe_requests;
  }
  if (paired_requests > 0) {
    st.events_per_request = events / paired_requests;
    st.agent_cpu_us_per_request = agent_cpu / paired_requests;
  }
  // A misattributed span named a request but was wrong about it: it counts against field match.
  if (st.matched + st.misattributed)
    st.field_match_rate = double(st.field_matched) / double(st.matched + st.misattributed);
  st.identity_matched = !by_arm[Arm::kHugin].empty() &&
                        std::all_of(by_arm[Arm::kHugin].begin(), by_arm[Arm::kHugin].end(),
                                    [](const RunResult* r) { return r->match.identity_matched; });
  st.duration_delta_p50_us = Percentile(st.duration_deltas_us, 50);
  st.duration_delta_p99_us = Percentile(st.duration_deltas_us, 99);
  st.wire = SummarizeWireTiming(rate, runs);
  st.cost = BreakdownStep(rate, runs);
  // A scenario whose only agent arm is hugin_metrics has its probe-time run there.
  if (probe_requests == 0 && st.cost.probe_requests) {
    st.probe_ns_per_request = st.cost.probe_ns_per_request;
    for (const ProgramCost& p : st.cost.programs) st.probe_runs_per_request += p.runs_per_request;
  }
  return st;
}

ScenarioSummary Summarize(const Scenario& s, std::vector<RunResult> runs,
                          std::vector<std::string> errors, double wall_s) {
  ScenarioSummary sum;
  sum.scenario = s;
  sum.wall_s = wall_s;
  for (const auto& r : runs)
    if (!r.ok) errors.push_back(std::string(ArmName(r.arm)) + " pair " + std::to_string(r.pair) + ": " + r.error);
  std::vector<int> rates = s.load.rates.empty() ? std::vector<int>{0} : s.load.rates;
  for (int rate : rates) sum.steps.push_back(SummarizeStep(rate, runs));
  sum.verdicts = Evaluate(s, sum.steps, errors);
  sum.errors = std::move(errors);
  sum.runs = std::move(runs);
  return sum;
}

Headline HeadlineOf(const ScenarioSummary& s) { return HeadlineOf(s.steps); }

Headline HeadlineOf(const std::vector<StepSummary>& steps) {
  Headline h;
  if (steps.empty()) return h;
  auto pick = [](std::optional<Estimate>& into, const std::optional<Estimate>& e, bool lowest) {
    if (e && (!into || (lowest ? e->value < into->value : e->value > into->value))) into = e;
  };
  h.capture_rate = steps.front().capture_rate;
  h.field_match_rate = steps.front().field_match_rate;
  h.worst_capture_step_rate = steps.front().rate;
  uint64_t planted_drops = 0, planted_swaps = 0;
  bool planted_known = true;
  for (const auto& st : steps) {
    pick(h.throughput_ratio, st.throughput_ratio, true);
    pick(h.p99_latency_ratio, st.p99_latency_ratio, false);
    pick(h.added_cpu_us_per_request, st.added_cpu_us_per_request, false);
    pick(h.otel_throughput_ratio, st.otel_throughput_ratio, true);
    pick(h.otel_p99_latency_ratio, st.otel_p99_latency_ratio, false);
    pick(h.otel_added_cpu_us_per_request, st.otel_added_cpu_us_per_request, false);
    pick(h.metrics_throughput_ratio, st.metrics_throughput_ratio, true);
    pick(h.metrics_p99_latency_ratio, st.metrics_p99_latency_ratio, false);
    pick(h.metrics_added_cpu_us_per_request, st.metrics_added_cpu_us_per_request, false);
    if (st.metrics_only) {
      if (st.metrics_only->prometheus.count_error)
        h.metrics_prometheus_count_error = std::max(h.metrics_prometheus_count_error.value_or(0),
                                                    *st.metrics_only->prometheus.count_error);
      h.metrics_agent_cpu_us_per_request =
          std::max(h.metrics_agent_cpu_us_per_request, st.metrics_only->agent_cpu_us_per_request);
    }
    if (st.capture_rate < h.capture_rate) {
      h.capture_rate = st.capture_rate;
      h.worst_capture_step_rate = st.rate;
    }
    h.field_match_rate = std::min(h.field_match_rate, st.field_match_rate);
    h.probe_ns_per_request = std::max(h.probe_ns_per_request, st.probe_ns_per_request);
    h.probe_runs_per_request = std::max(h.probe_runs_per_request, st.probe_runs_per_request);
    h.events_per_request = std::max(h.events_per_request, st.events_per_request);
    h.agent_cpu_us_per_request = std::max(h.agent_cpu_us_per_request, st.agent_cpu_us_per_request);
    h.steal_percent_max = std::max(h.steal_percent_max, st.steal_percent_max);
    h.duration_delta_p50_us = std::max(h.duration_delta_p50_us, st.duration_delta_p50_us);
    h.duration_delta_p99_us = std::max(h.duration_delta_p99_us, st.duration_delta_p99_us);
    h.agent_rss_bytes = std::max(h.agent_rss_bytes, st.agent_rss_bytes);
    h.agent_pss_bytes = std::max(h.agent_pss_bytes, st.agent_pss_bytes);
    h.requests += st.requests;
    h.spans += st.spans;
    h.missing += st.missing;
    h.silent_loss += st.silent_loss;
    h.phantom += st.phantom;
    h.unattributed_drops += st.unattributed_drops;
    h.kernel_drops += st.kernel_drops;
    if (st.prometheus_count_error)
      h.prometheus_count_error =
          std::max(h.prometheus_count_error.value_or(0), *st.prometheus_count_error);
    h.mismatches.method += st.mismatches.method;
    h.mismatches.path += st.mismatches.path;
    h.mismatches.status += st.mismatches.status;
    h.mismatches.req_bytes += st.mismatches.req_bytes;
    h.mismatches.resp_bytes += st.mismatches.resp_bytes;
    planted_drops += st.injected_dropped_spans;
    planted_swaps += st.injected_swapped_statuses;
    planted_known = planted_known && st.injected_known;
  }
  if (planted_known) {
    h.injected_dropped_spans = planted_drops;
    h.injected_swapped_statuses = planted_swaps;
  }
  return h;
}

}  // namespace hugin::harness
