#include "harness/analyze/summary.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "harness/util/fixed_point.h"
#include "harness/util/stats.h"

namespace hugin::harness {
namespace {

std::string Fixed(double v, int digits = 4) { return FixedPoint(v, digits); }

const RunResult* FindRun(const std::vector<RunResult>& runs, Arm arm, int pair) {
  for (const auto& r : runs)
    if (r.ok && r.arm == arm && r.pair == pair) return &r;
  return nullptr;
}

// Median over pairs of (arm metric / baseline metric), pairs where both runs succeeded.
template <typename Metric>
std::optional<double> PairedRatio(const std::vector<RunResult>& runs, Arm arm,
                                  Metric metric) {
  std::vector<double> ratios;
  for (const auto& r : runs) {
    if (!r.ok || r.arm != arm) continue;
    const RunResult* base = FindRun(runs, Arm::kBaseline, r.pair);
    if (base && metric(*base) > 0) ratios.push_back(metric(r) / metric(*base));
  }
  if (ratios.empty()) return std::nullopt;
  return Median(ratios);
}

}  // namespace

const char* VerdictStatusName(VerdictStatus s) {
  switch (s) {
    case VerdictStatus::kPass: return "PASS";
    case VerdictStatus::kFail: return "FAIL";
    case VerdictStatus::kExpectedUnsupported: return "EXPECTED-UNSUPPORTED";
  }
  return "?";
}

bool ScenarioSummary::passed() const {
  return errors.empty() && std::none_of(verdicts.begin(), verdicts.end(), [](const Verdict& v) {
           return v.status == VerdictStatus::kFail;
         });
}

StepSummary SummarizeStep(int rate, const std::vector<RunResult>& runs) {
  StepSummary st;
  st.rate = rate;
  std::map<Arm, std::vector<const RunResult*>> by_arm;
  for (const auto& r : runs)
    if (r.ok && r.rate == rate) by_arm[r.arm].push_back(&r);

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
  std::vector<RunResult> step_runs;
  for (const auto& r : runs)
    if (r.rate == rate) step_runs.push_back(r);
  auto tput = [](const RunResult& r) { return r.load.throughput_rps; };
  auto p50 = [](const RunResult& r) { return r.load.p50_us; };
  auto p99 = [](const RunResult& r) { return r.load.p99_us; };
  st.throughput_ratio = PairedRatio(step_runs, Arm::kHugin, tput);
  st.p50_latency_ratio = PairedRatio(step_runs, Arm::kHugin, p50);
  st.p99_latency_ratio = PairedRatio(step_runs, Arm::kHugin, p99);
  st.otel_throughput_ratio = PairedRatio(step_runs, Arm::kOtel, tput);
  st.otel_p99_latency_ratio = PairedRatio(step_runs, Arm::kOtel, p99);

  double otel_spans = 0, otel_requests = 0;
  bool have_otel = false;
  for (const RunResult* r : by_arm[Arm::kOtel]) {
    if (!r->otel_spans) continue;
    have_otel = true;
    otel_spans += *r->otel_spans;
    otel_requests += double(r->requests_served);
  }
  if (have_otel && otel_requests > 0) st.otel_capture_rate = otel_spans / otel_requests;

  double bpf_ns = 0, bpf_cnt = 0, agent_cpu = 0, events = 0;
  for (const RunResult* r : by_arm[Arm::kHugin]) {
    st.requests += r->match.requests;
    st.spans += r->match.spans;
    st.matched += r->match.matched;
    st.field_matched += r->match.field_matched;
    st.phantom += r->match.phantom;
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
    bpf_ns += double(r->bpf.run_time_ns);
    bpf_cnt += double(r->bpf.run_cnt);
    agent_cpu += r->agent_cpu_us;
    events += r->counters.events_received;
    st.agent_rss_bytes = std::max(st.agent_rss_bytes, r->agent_rss_bytes);
    if (r->requests_served > 0) {
      const double truth = double(r->requests_served);
      if (r->prometheus_count) {
        const double err = std::abs(*r->prometheus_count - truth) / truth;
        st.prometheus_count_error = std::max(st.prometheus_count_error.value_or(0), err);
      }
      if (r->prometheus_rate && r->load.duration_s > 0) {
        const double truth_rate = truth / r->load.duration_s;
        const double err = std::abs(*r->prometheus_rate - truth_rate) / truth_rate;
        st.prometheus_rate_error = std::max(st.prometheus_rate_error.value_or(0), err);
      }
    }
    if (!r->prometheus_error.empty() && st.prometheus_error.empty())
      st.prometheus_error = r->prometheus_error;
  }
  if (st.requests) {
    st.capture_rate = double(st.matched) / double(st.requests);
    st.probe_ns_per_request = bpf_ns / double(st.requests);
    st.probe_runs_per_request = bpf_cnt / double(st.requests);
    st.events_per_request = events / double(st.requests);
    st.agent_cpu_us_per_request = agent_cpu / double(st.requests);
  }
  if (st.matched) st.field_match_rate = double(st.field_matched) / double(st.matched);
  st.duration_delta_p50_us = Percentile(st.duration_deltas_us, 50);
  st.duration_delta_p99_us = Percentile(st.duration_deltas_us, 99);
  return st;
}

std::vector<Verdict> Evaluate(const Scenario& s, const std::vector<StepSummary>& steps,
                              const std::vector<std::string>& errors) {
  std::vector<Verdict> out;
  const Thresholds& t = s.thresholds;
  const bool unsupported = !s.expected_unsupported.empty();
  auto add = [&](const std::string& name, bool pass, const std::string& detail,
                 bool capture_related) {
    Verdict v{name, pass ? VerdictStatus::kPass : VerdictStatus::kFail, detail};
    if (!pass && unsupported && capture_related) {
      v.status = VerdictStatus::kExpectedUnsupported;
      v.detail += " (expected: " + s.expected_unsupported + ")";
    }
    out.push_back(v);
  };
  add("all_runs_completed", errors.empty(),
      errors.empty() ? "every run completed" : std::to_string(errors.size()) + " run(s) failed: " + errors.front(),
      false);
  if (steps.empty()) return out;

  // Each threshold is checked on its worst step.
  auto worst = [&](auto metric, bool lowest) {
    double w = metric(steps.front());
    for (const auto& st : steps) w = lowest ? std::min(w, metric(st)) : std::max(w, metric(st));
    return w;
  };
  if (t.capture_rate_min) {
    const double v = worst([](const StepSummary& st) { return st.capture_rate; }, true);
    add("capture_rate_min", v >= *t.capture_rate_min,
        "capture_rate " + Fixed(v) + " >= " + Fixed(*t.capture_rate_min), true);
  }
  if (t.field_match_rate_min) {
    const double v = worst([](const StepSummary& st) { return st.field_match_rate; }, true);
    add("field_match_rate_min", v >= *t.field_match_rate_min,
        "field_match_rate " + Fixed(v) + " >= " + Fixed(*t.field_match_rate_min), true);
  }
  if (t.silent_loss_max) {
    uint64_t total = 0;
    for (const auto& st : steps) total += st.silent_loss;
    add("silent_loss_max", static_cast<long>(total) <= *t.silent_loss_max,
        "silent_loss " + std::to_string(total) + " <= " + std::to_string(*t.silent_loss_max), true);
  }
  auto ratio_check = [&](const char* name, const std::optional<double>& limit, bool is_min,
                         std::optional<double> StepSummary::*field) {
    if (!limit) return;
    std::optional<double> w;
    for (const auto& st : steps) {
      if (!(st.*field)) continue;
      const double v = *(st.*field);
      w = !w ? v : is_min ? std::min(*w, v) : std::max(*w, v);
    }
    const std::string metric = std::string(name).substr(0, std::string(name).rfind('_'));
    if (!w) {
      add(name, false, metric + " unavailable (no complete baseline/hugin pair)", false);
      return;
    }
    add(name, is_min ? *w >= *limit : *w <= *limit,
        metric + " " + Fixed(*w, 3) + (is_min ? " >= " : " <= ") + Fixed(*limit, 3), false);
  };
  ratio_check("throughput_ratio_min", t.throughput_ratio_min, true, &StepSummary::throughput_ratio);
  ratio_check("p99_latency_ratio_max", t.p99_latency_ratio_max, false,
              &StepSummary::p99_latency_ratio);
  if (t.prometheus_count_error_max) {
    std::optional<double> w;
    std::string why;
    for (const auto& st : steps) {
      if (st.prometheus_count_error) w = std::max(w.value_or(0), *st.prometheus_count_error);
      if (!st.prometheus_error.empty()) why = st.prometheus_error;
    }
    if (!w)
      add("prometheus_count_error_max", false, "no Prometheus answer: " + why, true);
    else
      add("prometheus_count_error_max", *w <= *t.prometheus_count_error_max,
          "|prometheus count - ground truth| / ground truth " + Fixed(*w) + " <= " +
              Fixed(*t.prometheus_count_error_max),
          true);
  }
  if (t.expect_kernel_drops) {
    double drops = 0;
    uint64_t missing = 0;
    for (const auto& st : steps) {
      drops += st.kernel_drops;
      missing += st.missing;
    }
    add("expect_kernel_drops", drops > 0 && missing > 0,
        "loss forced and counted: kernel_drops " + Fixed(drops, 0) + ", missing spans " +
            std::to_string(missing) + " (both must be > 0)",
        false);
  }
  return out;
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

}  // namespace hugin::harness
