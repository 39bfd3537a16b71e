// Threshold verdicts of a scenario over its steps (split from summary.cc: one job per file).
#include <algorithm>
#include <cmath>

#include "harness/analyze/summary.h"
#include "harness/util/fixed_point.h"

namespace hugin::harness {
namespace {

std::string Fixed(double v, int digits = 4) { return FixedPoint(v, digits); }

std::string EstimateText(const Estimate& e, int digits) {
  std::string t = Fixed(e.value, digits);
  if (e.ci95) t += " [" + Fixed(e.ci95->low, digits) + ", " + Fixed(e.ci95->high, digits) + "]";
  return t;
}

}  // namespace

std::vector<Verdict> Evaluate(const Scenario& s, const std::vector<StepSummary>& steps,
                              const std::vector<std::string>& errors) {
  std::vector<Verdict> out;
  const Thresholds& t = s.thresholds;
  auto add = [&](const std::string& name, bool pass, const std::string& detail) {
    out.push_back({name, pass ? VerdictStatus::kPass : VerdictStatus::kFail, detail});
  };
  add("all_runs_completed", errors.empty(),
      errors.empty() ? "every run completed"
                     : std::to_string(errors.size()) + " run(s) failed: " + errors.front());
  if (steps.empty()) return out;
  auto step_name = [](const StepSummary& st) {
    return st.rate ? " at " + std::to_string(st.rate) + " req/s" : std::string();
  };

  // The expected state of a scenario the tracer cannot see yet is asserted, not assumed: no span
  // at all. Spans appearing mean the scenario file is stale (UNEXPECTED-PASS fails the run).
  if (!s.expected_unsupported.empty()) {
    uint64_t matched = 0, spans = 0;
    for (const auto& st : steps) {
      matched += st.matched;
      spans += st.spans;
    }
    const bool none = matched == 0 && spans == 0;
    out.push_back({"expected_unsupported",
                   none ? VerdictStatus::kExpectedUnsupported : VerdictStatus::kUnexpectedPass,
                   "capture 0 and phantom 0 expected (" + s.expected_unsupported + "): matched " +
                       std::to_string(matched) + ", server spans " + std::to_string(spans)});
  }
  // Capture, field and loss thresholds mean nothing for what cannot be seen; overhead ones do.
  const bool capture_checks = s.expected_unsupported.empty();

  // Every threshold holds at every step: the verdict names the worst one.
  auto worst_step = [&](auto metric, bool lowest) {
    const StepSummary* w = &steps.front();
    for (const auto& st : steps)
      if (lowest ? metric(st) < metric(*w) : metric(st) > metric(*w)) w = &st;
    return w;
  };
  if (capture_checks && t.capture_rate_min) {
    const auto* w = worst_step([](const StepSummary& st) { return st.capture_rate; }, true);
    add("capture_rate_min", w->capture_rate >= *t.capture_rate_min,
        "capture_rate " + Fixed(w->capture_rate) + step_name(*w) + " >= " +
            Fixed(*t.capture_rate_min));
  }
  if (capture_checks && t.field_match_rate_min) {
    const auto* w = worst_step([](const StepSummary& st) { return st.field_match_rate; }, true);
    add("field_match_rate_min", w->field_match_rate >= *t.field_match_rate_min,
        "field_match_rate " + Fixed(w->field_match_rate) + step_name(*w) + " >= " +
            Fixed(*t.field_match_rate_min));
  }
  if (capture_checks && t.silent_loss_max) {
    const auto* w = worst_step([](const StepSummary& st) { return double(st.silent_loss); }, false);
    add("silent_loss_max", static_cast<long>(w->silent_loss) <= *t.silent_loss_max,
        "silent_loss " + std::to_string(w->silent_loss) + step_name(*w) + " <= " +
            std::to_string(*t.silent_loss_max));
  }
  if (capture_checks && t.unattributed_drops_max) {
    const auto* w =
        worst_step([](const StepSummary& st) { return double(st.unattributed_drops); }, false);
    add("unattributed_drops_max", static_cast<long>(w->unattributed_drops) <= *t.unattributed_drops_max,
        "drops that explain no missing request " + std::to_string(w->unattributed_drops) +
            step_name(*w) + " <= " + std::to_string(*t.unattributed_drops_max));
  }
  // Interval verdicts: a minimum holds when the whole 95% interval is above it, a maximum when
  // the whole interval is below it; without an interval (one pair) the point estimate decides.
  auto interval_check = [&](const char* name, const char* metric, const std::optional<double>& limit,
                            bool is_min, std::optional<Estimate> StepSummary::*field, int digits) {
    if (!limit) return;
    const StepSummary* w = nullptr;
    double w_bound = 0;
    for (const auto& st : steps) {
      if (!(st.*field)) continue;
      const Estimate& e = *(st.*field);
      const double bound = e.ci95 ? (is_min ? e.ci95->low : e.ci95->high) : e.value;
      if (!w || (is_min ? bound < w_bound : bound > w_bound)) {
        w = &st;
        w_bound = bound;
      }
    }
    if (!w) {
      add(name, false, std::string(metric) + " unavailable (no complete baseline/hugin pair)");
      return;
    }
    add(name, is_min ? w_bound >= *limit : w_bound <= *limit,
        std::string(metric) + " " + EstimateText(*(w->*field), digits) + step_name(*w) + ": " +
            (is_min ? "interval low " : "interval high ") + Fixed(w_bound, digits) +
            (is_min ? " >= " : " <= ") + Fixed(*limit, digits));
  };
  interval_check("throughput_ratio_min", "throughput_ratio", t.throughput_ratio_min, true,
                 &StepSummary::throughput_ratio, 3);
  interval_check("p99_latency_ratio_max", "p99_latency_ratio", t.p99_latency_ratio_max, false,
                 &StepSummary::p99_latency_ratio, 3);
  interval_check("added_cpu_us_per_request_max", "added_cpu_us_per_request",
                 t.added_cpu_us_per_request_max, false, &StepSummary::added_cpu_us_per_request, 2);
  if (capture_checks && t.prometheus_count_error_max) {
    // Every agent arm the scenario runs: hugin (spans) and hugin_metrics (counters only).
    const auto has = [&](Arm a) { return std::find(s.arms.begin(), s.arms.end(), a) != s.arms.end(); };
    for (const Arm arm : {Arm::kHugin, Arm::kHuginMetrics}) {
      if (!has(arm)) continue;
      std::optional<double> w;
      std::string why = "no run of the arm completed";
      for (const auto& st : steps) {
        const std::optional<double> e =
            arm == Arm::kHugin ? st.prometheus_count_error
                               : (st.metrics_only ? st.metrics_only->prometheus.count_error
                                                  : std::nullopt);
        const std::string& problem =
            arm == Arm::kHugin ? st.prometheus_error
                               : (st.metrics_only ? st.metrics_only->prometheus.error : why);
        if (e) w = std::max(w.value_or(0), *e);
        if (!problem.empty()) why = problem;
      }
      const std::string name = arm == Arm::kHugin ? "prometheus_count_error_max"
                                                  : "prometheus_count_error_max (hugin_metrics)";
      if (!w)
        add(name, false, "no Prometheus answer: " + why);
      else
        add(name, *w <= *t.prometheus_count_error_max,
            "|prometheus count - ground truth| / ground truth " + Fixed(*w) + " <= " +
                Fixed(*t.prometheus_count_error_max));
    }
  }
  if (capture_checks && t.wire_duration_within_1ms_or_5pct_min) {
    // Worst step; a step whose capture is invalid (dropped packets, no capture, tshark failed)
    // cannot vouch for anything and fails the threshold with the reason.
    const char* name = "wire_duration_within_1ms_or_5pct_min";
    const StepSummary* w = nullptr;
    std::string invalid;
    for (const auto& st : steps) {
      if (!st.wire) invalid = "no wire capture" + step_name(st);
      else if (!st.wire->valid())
        invalid = "wire oracle invalid" + step_name(st) + ": " + st.wire->invalid_reason;
      else if (!st.wire->spans) invalid = "no server spans to compare" + step_name(st);
      else if (!w || st.wire->within_tolerance_fraction < w->wire->within_tolerance_fraction)
        w = &st;
    }
    if (!invalid.empty() || !w)
      add(name, false, invalid);
    else
      add(name, w->wire->within_tolerance_fraction >= *t.wire_duration_within_1ms_or_5pct_min,
          "spans with |duration - wire duration| <= max(1 ms, 5%) " +
              Fixed(w->wire->within_tolerance_fraction) + step_name(*w) + " >= " +
              Fixed(*t.wire_duration_within_1ms_or_5pct_min));
  }
  if (t.expect_kernel_drops) {
    for (const auto& st : steps) {
      if (st.rate != steps.back().rate) continue;  // the highest step must force loss
      add("expect_kernel_drops", st.kernel_drops > 0 && st.missing > 0,
          "loss forced and counted" + step_name(st) + ": kernel_drops " + Fixed(st.kernel_drops, 0) +
              ", missing spans " + std::to_string(st.missing) + " (both must be > 0)");
    }
  }
  if (t.detects_injected_faults) {
    const Headline h = HeadlineOf(steps);
    if (!h.injected_dropped_spans || !h.injected_swapped_statuses) {
      add("detects_injected_faults", false, "the agent did not report what it planted");
    } else {
      const uint64_t drops = *h.injected_dropped_spans, swaps = *h.injected_swapped_statuses;
      add("detects_injected_faults", h.silent_loss == drops && h.mismatches.status == swaps,
          "silent_loss " + std::to_string(h.silent_loss) + " == planted dropped spans " +
              std::to_string(drops) + ", status mismatches " +
              std::to_string(h.mismatches.status) + " == planted swapped statuses " +
              std::to_string(swaps));
    }
  }
  return out;
}

}  // namespace hugin::harness
