#include "harness/report/report.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

#include "harness/report/cost_report.h"
#include "harness/report/metrics_arm_report.h"
#include "harness/util/fixed_point.h"

namespace hugin::harness {
namespace {

using nlohmann::json;

json Opt(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

std::string Num(double v, int digits = 2) { return FixedPoint(v, digits); }

json ArmNames(const std::vector<Arm>& arms) {
  json names = json::array();
  for (const Arm a : arms) names.push_back(ArmName(a));
  return names;
}

std::string OptNum(const std::optional<double>& v, int digits = 3) {
  return v ? Num(*v, digits) : "n/a";
}

// "0.812 [0.790, 0.830]": the estimate and its 95% interval.
std::string EstNum(const std::optional<Estimate>& e, int digits = 3) {
  if (!e) return "n/a";
  std::string t = Num(e->value, digits);
  if (e->ci95) t += " [" + Num(e->ci95->low, digits) + ", " + Num(e->ci95->high, digits) + "]";
  return t;
}

// `key` = the estimate, `key`_ci95 = [low, high] (null without an interval).
void PutEstimate(json& j, const std::string& key, const std::optional<Estimate>& e) {
  j[key] = e ? json(e->value) : json(nullptr);
  j[key + "_ci95"] = e && e->ci95 ? json::array({e->ci95->low, e->ci95->high}) : json(nullptr);
}

std::string PlacementText(const Placement& p) {
  if (p.load_cpus.empty()) return "not pinned (one CPU): load tool, service and agent share it";
  auto list = [](const std::vector<int>& cpus) {
    std::string t;
    for (int c : cpus) t += (t.empty() ? "" : ",") + std::to_string(c);
    return t;
  };
  return "load tool and Prometheus on CPU " + list(p.load_cpus) + "; service and agent on CPU " +
         list(p.service_cpus);
}

std::string RateName(int rate) { return rate ? std::to_string(rate) + " req/s" : "saturation"; }

json ErrorJson(const SignedErrorStats& e) {
  return {{"n", e.n}, {"p1", e.p1}, {"p50", e.p50}, {"p99", e.p99}, {"max_abs", e.max_abs}};
}

json CaptureJson(const CaptureStats& c) {
  return {{"packets", c.packets}, {"dropped", c.dropped}, {"interface_dropped", c.interface_dropped},
          {"cpu_us", c.cpu_us},
          {"clock_drift_us", double(c.clock_drift_ns()) / 1e3},
          {"clock_uncertainty_us", double(std::max(c.clock_start.window_ns, c.clock_end.window_ns)) / 2e3},
          {"error", c.error}};
}

// The wire oracle's figures for one step (analyze/timing.h); null when nothing was captured.
json WireStepJson(const std::optional<WireTimingSummary>& w) {
  if (!w) return nullptr;
  return {{"valid", w->valid()},
          {"invalid_reason", w->invalid_reason},
          {"runs", w->runs},
          {"packets", w->packets},
          {"dropped_packets", w->dropped},
          {"baseline_packets", w->baseline_packets},
          {"baseline_dropped_packets", w->baseline_dropped},
          {"capture_cpu_us_per_request", w->capture_cpu_us_per_request},
          {"max_abs_clock_drift_us", w->max_abs_clock_drift_us},
          {"max_clock_uncertainty_us", w->max_clock_uncertainty_us},
          {"wire_exchanges", w->wire_exchanges},
          {"wire_incomplete", w->wire_incomplete},
          {"spans", w->spans},
          {"joined", w->joined},
          {"unmatched_spans", w->unmatched_spans},
          {"unmatched_exchanges", w->unmatched_exchanges},
          {"realigned_groups", w->realigned_groups},
          {"start_error_us", ErrorJson(w->start_error_us)},
          {"end_error_us", ErrorJson(w->end_error_us)},
          {"duration_error_us", ErrorJson(w->duration_error_us)},
          {"duration_within_1ms_or_5pct", w->within_tolerance_fraction},
          {"outside_tolerance_first_on_connection", w->outside_first_on_connection},
          {"processing_minus_handler_us", ErrorJson(w->processing_minus_handler_us)},
          {"processing_negative_over_100us", w->processing_negative_over_100us},
          {"processing_unjoined", w->processing_unjoined}};
}

// One run's capture and, for the hugin arm, its timing figures.
json WireRunJson(const std::optional<WireTiming>& t) {
  if (!t) return nullptr;
  json j = {{"capture", CaptureJson(t->capture)}, {"valid", t->valid()},
            {"invalid_reason", t->invalid_reason()}, {"decode_error", t->decode_error}};
  if (t->spans || t->wire_exchanges) {
    j["wire_exchanges"] = t->wire_exchanges;
    j["wire_incomplete"] = t->wire_incomplete;
    j["spans"] = t->spans;
    j["joined"] = t->joined;
    j["unmatched_spans"] = t->unmatched_spans;
    j["unmatched_exchanges"] = t->unmatched_exchanges;
    j["realigned_groups"] = t->realigned_groups;
    j["start_error_us"] = ErrorJson(ErrorStats(t->start_error_us));
    j["end_error_us"] = ErrorJson(ErrorStats(t->end_error_us));
    j["duration_error_us"] = ErrorJson(ErrorStats(t->duration_error_us));
    j["duration_within_1ms_or_5pct"] = t->spans ? double(t->within_tolerance) / double(t->spans) : 0.0;
    j["processing_minus_handler_us"] = ErrorJson(ErrorStats(t->processing_minus_handler_us));
  }
  return j;
}

std::string ErrorCells(const SignedErrorStats& e) {
  return Num(e.p50, 1) + " / " + Num(e.p99, 1) + " / " + Num(e.max_abs, 1);
}

// report.md's "Timing vs the wire" table: one row per step that had a capture.
void WireTable(std::ostringstream& md, const ScenarioSummary& s) {
  bool any = false;
  for (const auto& st : s.steps) any = any || st.wire;
  if (!any) return;
  md << "### Timing vs the wire\n\n"
     << "Hugin's server spans against a loopback capture (dumpcap, tshark's HTTP dissector): "
        "request start = first segment of the request, response end = last segment of the "
        "response; errors are span minus wire in µs (p50 / p99 / max |error|). Processing minus "
        "handler compares the span's processing time with the fixture's own handler time.\n\n"
     << "| offered rate | joined / spans (unmatched: spans, wire exchanges) | start error | "
        "end error | duration error | within max(1 ms, 5%) | processing − handler p50 / p99 "
        "(< −100 µs) | capture packets (dropped): hugin; baseline; dumpcap CPU µs/req | clock drift "
        "µs |\n"
     << "|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& st : s.steps) {
    if (!st.wire) continue;
    const WireTimingSummary& w = *st.wire;
    md << "| " << RateName(st.rate) << " | ";
    if (!w.valid()) {
      md << "**invalid: " << w.invalid_reason << "** | | | | | | ";
    } else {
      md << w.joined << " / " << w.spans << " (" << w.unmatched_spans << ", "
         << w.unmatched_exchanges << ") | " << ErrorCells(w.start_error_us) << " | "
         << ErrorCells(w.end_error_us) << " | " << ErrorCells(w.duration_error_us) << " | "
         << Num(w.within_tolerance_fraction, 4) << " (outside: " << w.joined - w.within_tolerance
         << ", first on their connection: " << w.outside_first_on_connection << ") | "
         << Num(w.processing_minus_handler_us.p50, 1) << " / "
         << Num(w.processing_minus_handler_us.p99, 1) << " (" << w.processing_negative_over_100us
         << ") | ";
    }
    md << w.packets << " (" << w.dropped << "); " << w.baseline_packets << " ("
       << w.baseline_dropped << "); " << Num(w.capture_cpu_us_per_request, 2) << " | "
       << Num(w.max_abs_clock_drift_us, 1) << " |\n";
  }
  md << "\n";
}

// The cost ladder's rows (stage arms): between the hook floor's row and hugin_metrics'.
std::string StageArmRows(const StepSummary& st) {
  std::ostringstream md;
  const std::pair<Arm, const char*> stages[] = {
      {Arm::kStageLookup, "each data call finds its connection, then stops"},
      {Arm::kStageHeads, "and copies its first bytes (up to 511), then stops"},
      {Arm::kSyscallPath, "the whole metrics-only agent on the syscall data path, tp_btf/sys_exit, "
                          "instead of the socket one"}};
  auto find = [](const std::map<Arm, Estimate>& m, Arm a) {
    auto it = m.find(a);
    return it == m.end() ? std::optional<Estimate>() : std::optional<Estimate>(it->second);
  };
  for (const auto& [arm, what] : stages) {
    const auto ratio = find(st.stage_throughput_ratio, arm);
    const auto cpu = find(st.stage_added_cpu_us_per_request, arm);
    if (!ratio && !cpu) continue;
    md << "| cost ladder, " << ArmName(arm) << " (" << what
       << "): throughput ratio vs baseline / added CPU per request, µs | " << EstNum(ratio)
       << " / " << EstNum(cpu, 2) << " |\n";
  }
  return md.str();
}

json StepJson(const StepSummary& st) {
  json arms = json::object();
  for (const auto& [name, a] : st.arms) {
    arms[ArmName(name)] = {{"runs", a.runs}, {"throughput_rps", a.throughput_rps}, {"p50_us", a.p50_us},
                  {"p90_us", a.p90_us}, {"p99_us", a.p99_us},
                  {"fixture_cpu_us_per_request", a.fixture_cpu_us_per_request},
                  {"requests", a.requests}};
  }
  json pairs = json::array();
  auto by_arm = [](const std::map<Arm, double>& m) {
    json o = json::object();
    for (const auto& [arm, v] : m) o[ArmName(arm)] = v;
    return o;
  };
  for (const auto& p : st.pairs)
    pairs.push_back({{"pair", p.pair},
                     {"stage_throughput_ratio", by_arm(p.stage_throughput_ratio)},
                     {"stage_added_cpu_us_per_request", by_arm(p.stage_added_cpu_us_per_request)},
                     {"throughput_ratio", Opt(p.throughput_ratio)},
                     {"p50_latency_ratio", Opt(p.p50_latency_ratio)},
                     {"p99_latency_ratio", Opt(p.p99_latency_ratio)},
                     {"added_cpu_us_per_request", Opt(p.added_cpu_us_per_request)},
                     {"otel_throughput_ratio", Opt(p.otel_throughput_ratio)},
                     {"otel_p99_latency_ratio", Opt(p.otel_p99_latency_ratio)},
                     {"otel_added_cpu_us_per_request", Opt(p.otel_added_cpu_us_per_request)},
                     {"floor_throughput_ratio", Opt(p.floor_throughput_ratio)},
                     {"floor_p99_latency_ratio", Opt(p.floor_p99_latency_ratio)},
                     {"floor_added_cpu_us_per_request", Opt(p.floor_added_cpu_us_per_request)}});
  json j = {
      {"offered_rate", st.rate},
      {"arms", arms},
      {"pairs", pairs},
      {"otel_capture_rate", Opt(st.otel_capture_rate)},
      {"steal_percent_max", st.steal_percent_max},
      {"unattributed_drops", st.unattributed_drops},
      {"requests", st.requests},
      {"spans", st.spans},
      {"matched", st.matched},
      {"capture_rate", st.capture_rate},
      {"field_match_rate", st.field_match_rate},
      {"field_mismatches",
       {{"method", st.mismatches.method}, {"path", st.mismatches.path},
        {"status", st.mismatches.status}, {"req_bytes", st.mismatches.req_bytes},
        {"resp_bytes", st.mismatches.resp_bytes}}},
      {"phantom_spans", st.phantom},
      {"identity_matched", st.identity_matched},
      {"misattributed", st.misattributed},
      {"duplicate_spans", st.duplicate_spans},
      {"warmup_requests", st.warmup_requests},
      {"missing", st.missing},
      {"silent_loss", st.silent_loss},
      {"kernel_drops", st.kernel_drops},
      {"kernel_drops_by_reason", st.kernel_drops_by_reason},
      {"stream_gaps", st.stream_gaps},
      {"parse_errors", st.parse_errors},
      {"payload_truncated", st.payload_truncated},
      {"probe_ns_per_request", st.probe_ns_per_request},
      {"probe_runs_per_request", st.probe_runs_per_request},
      {"events_per_request", st.events_per_request},
      {"agent_cpu_us_per_request", st.agent_cpu_us_per_request},
      {"agent_rss_bytes", st.agent_rss_bytes},
      {"agent_pss_bytes", st.agent_pss_bytes},
      {"duration_delta_p50_us", st.duration_delta_p50_us},
      {"duration_delta_p99_us", st.duration_delta_p99_us},
      {"prometheus_count_error", Opt(st.prometheus_count_error)},
      {"prometheus_rate_error", Opt(st.prometheus_rate_error)},
      {"wire_timing", WireStepJson(st.wire)},
      {"metrics_only", MetricsArmJson(st)},
      {"cost_breakdown", CostBreakdownJson(st.cost)},
  };
  PutEstimate(j, "throughput_ratio", st.throughput_ratio);
  PutEstimate(j, "p50_latency_ratio", st.p50_latency_ratio);
  PutEstimate(j, "p99_latency_ratio", st.p99_latency_ratio);
  PutEstimate(j, "added_cpu_us_per_request", st.added_cpu_us_per_request);
  PutEstimate(j, "otel_throughput_ratio", st.otel_throughput_ratio);
  PutEstimate(j, "otel_p99_latency_ratio", st.otel_p99_latency_ratio);
  PutEstimate(j, "otel_added_cpu_us_per_request", st.otel_added_cpu_us_per_request);
  PutEstimate(j, "floor_throughput_ratio", st.floor_throughput_ratio);
  PutEstimate(j, "floor_p99_latency_ratio", st.floor_p99_latency_ratio);
  PutEstimate(j, "floor_added_cpu_us_per_request", st.floor_added_cpu_us_per_request);
  for (const auto& [arm, e] : st.stage_throughput_ratio)
    PutEstimate(j, std::string(ArmName(arm)) + "_throughput_ratio", e);
  for (const auto& [arm, e] : st.stage_added_cpu_us_per_request)
    PutEstimate(j, std::string(ArmName(arm)) + "_added_cpu_us_per_request", e);
  return j;
}

// " (metrics only: N)" after Hugin's probe ns/request when hugin_metrics had its own probe-time
// run; "" when it had none or its run is the step's only one (then the figure is already its).
std::string MetricsProbeText(const CostBreakdown& b) {
  if (!b.metrics_probe_requests) return "";
  return " (metrics only: " + Num(b.metrics_probe_ns_per_request, 0) + ")";
}

// True when the scenario has the arm that prints spans (hugin): capture, field match, loss and
// span timing exist only then.
bool HasSpanArm(const Scenario& s) {
  return std::find(s.arms.begin(), s.arms.end(), Arm::kHugin) != s.arms.end();
}

}  // namespace

json ScenarioJson(const ScenarioSummary& s) {
  json j = {{"file", s.scenario.file},
            {"description", s.scenario.description},
            {"fixture", {{"language", s.scenario.fixture.language},
                         {"protocol", s.scenario.fixture.protocol},
                         {"tls", s.scenario.fixture.tls}}},
            {"load", {{"tool", s.scenario.load.tool},
                      {"connections", s.scenario.load.connections},
                      {"duration_s", s.scenario.load.duration_s},
                      {"rates", s.scenario.load.rates},
                      {"mix", s.scenario.load.mix},
                      {"seed", s.scenario.load.seed},
                      {"method", s.scenario.load.method},
                      {"path", s.scenario.load.path}}},
            {"repetitions", s.scenario.repetitions},
            {"arms", ArmNames(s.scenario.arms)},
            {"expected_unsupported", s.scenario.expected_unsupported},
            {"placement", PlacementText(s.placement)},
            {"warmup_s", s.scenario.load.warmup_s},
            {"passed", s.passed()},
            {"wall_s", s.wall_s},
            {"errors", s.errors}};
  j["steps"] = json::array();
  for (const auto& st : s.steps) j["steps"].push_back(StepJson(st));
  // The headline keys at the top level: each from the scenario's worst step (see HeadlineOf),
  // loss counts summed over steps.
  const Headline h = HeadlineOf(s);
  PutEstimate(j, "throughput_ratio", h.throughput_ratio);
  PutEstimate(j, "p99_latency_ratio", h.p99_latency_ratio);
  PutEstimate(j, "added_cpu_us_per_request", h.added_cpu_us_per_request);
  PutEstimate(j, "otel_throughput_ratio", h.otel_throughput_ratio);
  PutEstimate(j, "otel_p99_latency_ratio", h.otel_p99_latency_ratio);
  PutEstimate(j, "otel_added_cpu_us_per_request", h.otel_added_cpu_us_per_request);
  PutEstimate(j, "metrics_only_throughput_ratio", h.metrics_throughput_ratio);
  PutEstimate(j, "metrics_only_p99_latency_ratio", h.metrics_p99_latency_ratio);
  PutEstimate(j, "metrics_only_added_cpu_us_per_request", h.metrics_added_cpu_us_per_request);
  j["metrics_only_prometheus_count_error"] = Opt(h.metrics_prometheus_count_error);
  j["metrics_only_agent_cpu_us_per_request"] = h.metrics_agent_cpu_us_per_request;
  j["pairs"] = s.scenario.repetitions;
  j["capture_rate"] = h.capture_rate;
  j["worst_capture_step"] = h.worst_capture_step_rate;
  j["field_match_rate"] = h.field_match_rate;
  j["probe_ns_per_request"] = h.probe_ns_per_request;
  j["probe_runs_per_request"] = h.probe_runs_per_request;
  j["events_per_request"] = h.events_per_request;
  j["agent_cpu_us_per_request"] = h.agent_cpu_us_per_request;
  j["agent_rss_bytes"] = h.agent_rss_bytes;
  j["agent_pss_bytes"] = h.agent_pss_bytes;
  j["steal_percent_max"] = h.steal_percent_max;
  j["duration_delta_p50_us"] = h.duration_delta_p50_us;
  j["duration_delta_p99_us"] = h.duration_delta_p99_us;
  j["phantom_spans"] = h.phantom;
  j["prometheus_count_error"] = Opt(h.prometheus_count_error);
  j["kernel_drops"] = h.kernel_drops;
  j["silent_loss"] = h.silent_loss;
  j["unattributed_drops"] = h.unattributed_drops;
  j["requests"] = h.requests;
  j["spans"] = h.spans;
  j["missing"] = h.missing;
  const FieldMismatches& fm = h.mismatches;
  j["field_mismatches"] = {{"method", fm.method}, {"path", fm.path}, {"status", fm.status},
                           {"req_bytes", fm.req_bytes}, {"resp_bytes", fm.resp_bytes}};
  j["injected_dropped_spans"] = h.injected_dropped_spans ? json(*h.injected_dropped_spans) : json(nullptr);
  j["injected_swapped_statuses"] =
      h.injected_swapped_statuses ? json(*h.injected_swapped_statuses) : json(nullptr);
  // Identity matching over every step: matched by identity throughout, and the totals.
  bool identity = !s.steps.empty();
  uint64_t misattributed = 0, duplicates = 0, warmup = 0;
  for (const auto& st : s.steps) {
    identity = identity && st.identity_matched;
    misattributed += st.misattributed;
    duplicates += st.duplicate_spans;
    warmup += st.warmup_requests;
  }
  j["identity_matched"] = identity;
  j["misattributed"] = misattributed;
  j["duplicate_spans"] = duplicates;
  j["warmup_requests"] = warmup;
  j["verdicts"] = json::array();
  for (const auto& v : s.verdicts)
    j["verdicts"].push_back({{"threshold", v.name}, {"status", VerdictStatusName(v.status)},
                             {"detail", v.detail}});
  j["runs"] = json::array();
  for (const auto& r : s.runs) {
    j["runs"].push_back({{"arm", ArmName(r.arm)}, {"pair", r.pair}, {"probe_run", r.probe_run},
                         {"profile_run", r.profile_run},
                         {"rate", r.rate}, {"ok", r.ok}, {"steal_percent", r.steal_percent},
                         {"warmup_requests", r.warmup_requests},
                         {"load_tool_cpu_us", r.load.tool_cpu_us},
                         {"fixture_cpu_us", r.fixture_cpu_us}, {"agent_cpu_us", r.agent_cpu_us},
                         {"agent_rss_bytes", r.agent_rss_bytes}, {"agent_pss_bytes", r.agent_pss_bytes},
                         {"error", r.error}, {"throughput_rps", r.load.throughput_rps},
                         {"p99_us", r.load.p99_us}, {"load_requests", r.load.requests},
                         {"requests_served", r.requests_served}, {"client_aborted", r.client_aborted}, {"matched", r.match.matched},
                         {"kernel_drops", r.counters.kernel_drops()},
                         {"silent_loss", r.loss.silent_loss},
                         {"prometheus_count", Opt(r.prometheus_count)},
                         {"otel_spans", Opt(r.otel_spans)},
                         {"wire", WireRunJson(r.wire)}});
  }
  return j;
}

json ResultJson(const RunInfo& info, const std::vector<ScenarioSummary>& scenarios) {
  json j = {{"commit", info.commit}, {"tree_dirty", info.tree_dirty},
            {"started_utc", info.started_utc}, {"wall_s", info.wall_s},
            {"host", {{"name", info.host}, {"kernel", info.kernel}, {"cpus", info.cpus}}}};
  bool all = true;
  j["scenarios"] = json::object();
  for (const auto& s : scenarios) {
    j["scenarios"][s.scenario.name] = ScenarioJson(s);
    all = all && s.passed();
  }
  j["passed"] = all;
  return j;
}

std::string ReportMarkdown(const RunInfo& info, const std::vector<ScenarioSummary>& scenarios,
                           const std::map<std::string, std::vector<std::string>>& plots,
                           const ReportExtras& extras) {
  std::ostringstream md;
  md << "# Hugin measurement report\n\n"
     << "- commit: `" << info.commit << "`" << (info.tree_dirty ? " (working tree had changes)" : "")
     << "\n- started: " << info.started_utc << ", wall time " << Num(info.wall_s, 1) << " s\n"
     << "- host: " << info.host << ", kernel " << info.kernel << ", " << info.cpus << " CPUs\n"
     << "- ratios are instrumented / baseline: geometric mean of the per-pair ratios over "
        "interleaved pairs in ABBA order (fresh fixture process per run), with a 95% bootstrap "
        "interval in brackets; verdicts use the interval's bound. Absolute figures on a shared VM "
        "are noise, ratios are the result. Each run starts with a warm-up load that no figure "
        "includes; probe time comes from one extra run per step of each arm with BPF programs "
        "(the agents, the cost ladder, the hook floor) with kernel.bpf_stats_enabled=1 (it costs "
        "every program run, so no pair has it on).\n"
        "- the summary row of a scenario is its worst step; added CPU = (service + agent + load "
        "tool CPU) per request with Hugin minus without: the overhead headline at a fixed rate.\n\n";

  md << "## Summary\n\n| scenario | verdict | throughput ratio [95% CI] | p99 ratio [95% CI] | "
        "added CPU µs/req [95% CI] | capture rate | field match | silent loss | kernel drops "
        "(unattributed) | probe ns/req | agent CPU µs/req | agent PSS / peak RSS MiB | steal % max | "
        "OTel throughput ratio / added CPU µs/req | metrics-only throughput ratio / added CPU µs/req / "
        "Prometheus count error |\n"
     << "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& s : scenarios) {
    const Headline h = HeadlineOf(s);
    const bool unsupported = std::any_of(s.verdicts.begin(), s.verdicts.end(), [](auto& v) {
      return v.status == VerdictStatus::kExpectedUnsupported;
    });
    md << "| " << s.scenario.name << " | "
       << (s.passed() ? (unsupported ? "PASS (expected-unsupported)" : "PASS") : "**FAIL**") << " | ";
    if (s.steps.empty()) {
      md << "| | | | | | | | | | | | | |\n";
      continue;
    }
    // Span figures (capture, field match, loss, the span arm's agent CPU and memory) come from
    // the hugin arm; a scenario without one (metrics only) has none: "—", not 0.
    const bool spans = HasSpanArm(s.scenario);
    auto span_cell = [&](const std::string& v) { return spans ? v : std::string("—"); };
    md << EstNum(h.throughput_ratio) << " | " << EstNum(h.p99_latency_ratio) << " | "
       << EstNum(h.added_cpu_us_per_request, 2) << " | " << span_cell(Num(h.capture_rate, 4))
       << " | " << span_cell(Num(h.field_match_rate, 4)) << " | "
       << span_cell(std::to_string(h.silent_loss)) << " | "
       << span_cell(Num(h.kernel_drops, 0) + " (" + std::to_string(h.unattributed_drops) + ")")
       << " | " << Num(h.probe_ns_per_request, 0) << " | "
       << span_cell(Num(h.agent_cpu_us_per_request, 2)) << " | "
       << span_cell(Num(double(h.agent_pss_bytes) / 1048576.0, 1) + " / " +
                    Num(double(h.agent_rss_bytes) / 1048576.0, 1))
       << " | " << Num(h.steal_percent_max, 1)
       << " | "
       << (h.otel_throughput_ratio ? EstNum(h.otel_throughput_ratio) + " / " +
                                         EstNum(h.otel_added_cpu_us_per_request, 2)
                                   : std::string(""))
       << " | "
       << (h.metrics_throughput_ratio
               ? EstNum(h.metrics_throughput_ratio) + " / " +
                     EstNum(h.metrics_added_cpu_us_per_request, 2) + " / " +
                     OptNum(h.metrics_prometheus_count_error, 4)
               : std::string(""))
       << " |\n";
  }

  if (!extras.summary_plot.empty())
    md << "\n![summary](" << extras.summary_plot << ")\n";

  for (const auto& s : scenarios) {
    const Scenario& sc = s.scenario;
    md << "\n## " << sc.name << "\n\n";
    if (!sc.description.empty()) md << sc.description << "\n\n";
    md << "Fixture " << sc.fixture.language << " " << sc.fixture.protocol
       << (sc.fixture.tls ? " (TLS)" : "") << "; load " << sc.load.tool << " ";
    if (sc.fixture.protocol == "grpc")
      md << "gRPC Echo/Unary";
    else if (sc.load.mix == "single")
      md << sc.load.method << " " << sc.load.path;
    else
      md << "request mix (seed " << sc.load.seed << ")"
         << (sc.load.tool == "h2load" ? ", every request " + sc.load.method : std::string());
    md << ", " << sc.load.connections << " connections, "
       << Num(sc.load.duration_s, 1) << " s per run; " << sc.repetitions
       << " interleaved repetitions of [";
    for (size_t i = 0; i < sc.arms.size(); ++i) md << (i ? ", " : "") << ArmName(sc.arms[i]);
    md << "]; Hugin payload " << sc.hugin.payload_bytes << " B, ring buffer "
       << sc.hugin.ringbuf_bytes << " B; warm-up " << Num(sc.load.warmup_s, 1)
       << " s per run. Placement: " << PlacementText(s.placement) << ".";
    // Where each agent arm's kernel side saw data calls (its ready line), as it ran.
    std::map<std::string, std::set<std::string>> paths;  // arm -> data paths
    for (const auto& r : s.runs)
      if (!r.data_path.empty()) paths[ArmName(r.arm)].insert(r.data_path);
    if (!paths.empty()) {
      md << " Data path:";
      for (auto a = paths.begin(); a != paths.end(); ++a) {
        md << (a == paths.begin() ? " " : ", ") << a->first;
        for (const std::string& p : a->second) md << " " << p;
      }
      md << ".";
    }
    md << " Wall time " << Num(s.wall_s, 1) << " s.\n\n";

    for (const auto& st : s.steps) {
      md << "### " << RateName(st.rate) << "\n\n"
         << "| arm | runs | throughput req/s | p50 µs | p90 µs | p99 µs | fixture CPU µs/req |\n"
         << "|---|---|---|---|---|---|---|\n";
      for (const auto& arm : sc.arms) {
        auto it = st.arms.find(arm);
        if (it == st.arms.end()) {
          md << "| " << ArmName(arm) << " | 0 | | | | | |\n";
          continue;
        }
        const ArmSummary& a = it->second;
        md << "| " << ArmName(arm) << " | " << a.runs << " | " << Num(a.throughput_rps, 0) << " | "
           << Num(a.p50_us, 0) << " | " << Num(a.p90_us, 0) << " | " << Num(a.p99_us, 0) << " | "
           << Num(a.fixture_cpu_us_per_request, 1) << " |\n";
      }
      md << "\n| figure | value |\n|---|---|\n"
         << "| throughput ratio hugin/baseline [95% CI] | " << EstNum(st.throughput_ratio) << " |\n"
         << "| p50 / p99 latency ratio hugin/baseline | " << EstNum(st.p50_latency_ratio) << " / "
         << EstNum(st.p99_latency_ratio) << " |\n"
         << "| added CPU per request, µs (service + agent + load tool) | "
         << EstNum(st.added_cpu_us_per_request, 2) << " |\n"
         << "| per-pair throughput ratios | ";
      for (const auto& p : st.pairs) md << OptNum(p.throughput_ratio) << " ";
      md << "|\n| steal time, worst run | " << Num(st.steal_percent_max, 1) << " % |\n";
      if (st.otel_throughput_ratio || st.otel_p99_latency_ratio)
        md << "| throughput / p99 ratio OpenTelemetry/baseline | "
           << EstNum(st.otel_throughput_ratio) << " / " << EstNum(st.otel_p99_latency_ratio)
           << " |\n| added CPU per request with OpenTelemetry, µs | "
           << EstNum(st.otel_added_cpu_us_per_request, 2)
           << " |\n| OpenTelemetry server spans / requests | " << OptNum(st.otel_capture_rate, 4)
           << " |\n";
      if (st.floor_throughput_ratio || st.floor_p99_latency_ratio)
        md << "| hook floor (hook_floor: empty BPF programs on Hugin's hooks): throughput / p99 "
              "ratio vs baseline | "
           << EstNum(st.floor_throughput_ratio) << " / " << EstNum(st.floor_p99_latency_ratio)
           << " |\n| added CPU per request with the hook floor, µs | "
           << EstNum(st.floor_added_cpu_us_per_request, 2) << " |\n";
      md << StageArmRows(st);
      md << MetricsArmRows(st);
      // Span rows only with the span arm (metrics only has no span to match); the probe time
      // either way (hugin_metrics' own probe-time run when it is the only agent arm).
      const bool spans = HasSpanArm(sc);
      if (spans) {
        md << "| requests (ground truth, hugin runs) / spans / matched | " << st.requests << " / "
           << st.spans << " / " << st.matched << " |\n"
           << "| capture rate | " << Num(st.capture_rate, 4) << " |\n"
           << "| exact field match (method, path, status, sizes) | " << Num(st.field_match_rate, 4)
           << " (mismatches: method " << st.mismatches.method << ", path " << st.mismatches.path
           << ", status " << st.mismatches.status << ", req bytes " << st.mismatches.req_bytes
           << ", resp bytes " << st.mismatches.resp_bytes << ") |\n"
           << "| span - handler duration p50 / p99 µs | " << Num(st.duration_delta_p50_us, 1)
           << " / " << Num(st.duration_delta_p99_us, 1) << " |\n"
           << "| matching | "
           << (st.identity_matched ? "by request identity (path /r/<run>/<n>, peer port)"
                                   : "by client port and time overlap (no identity in the path)")
           << " |\n"
           << "| phantom spans | " << st.phantom << " |\n"
           << "| misattributed / duplicate spans / warm-up requests (left out) | "
           << st.misattributed << " / " << st.duplicate_spans << " / " << st.warmup_requests
           << " |\n"
           << "| missing spans / kernel drops / silent loss / unattributed drops | " << st.missing
           << " / " << Num(st.kernel_drops, 0) << " / " << st.silent_loss << " / "
           << st.unattributed_drops << " |\n";
        if (st.kernel_drops > 0) {
          md << "| drops by reason | ";
          for (const auto& [reason, v] : st.kernel_drops_by_reason) md << reason << " " << Num(v, 0) << " ";
          md << "|\n";
        }
        md << "| stream gaps / parse errors / truncated payloads | " << Num(st.stream_gaps, 0)
           << " / " << Num(st.parse_errors, 0) << " / " << Num(st.payload_truncated, 0) << " |\n";
      }
      md << "| kernel probe time per request (ns) / probe runs per request (all processes' "
            "syscalls)"
         << (spans ? " / ring-buffer events per request" : "") << " | "
         << Num(st.probe_ns_per_request, 0) << MetricsProbeText(st.cost) << " / "
         << Num(st.probe_runs_per_request, 2)
         << (spans ? " / " + Num(st.events_per_request, 2) : std::string()) << " |\n";
      if (spans)
        md << "| agent CPU per request (µs) / agent PSS (MiB; shared pages once) / peak RSS (MiB; "
              "VmHWM of its two processes summed) | "
           << Num(st.agent_cpu_us_per_request, 2) << " / "
           << Num(double(st.agent_pss_bytes) / 1048576.0, 1) << " / "
           << Num(double(st.agent_rss_bytes) / 1048576.0, 1) << " |\n"
           << "| Prometheus count error / rate() error vs ground truth | "
           << OptNum(st.prometheus_count_error, 4) << " / " << OptNum(st.prometheus_rate_error, 4)
           << (st.prometheus_error.empty() ? "" : " (" + st.prometheus_error + ")") << " |\n";
      md << "\n";
      std::map<Arm, double> paired_agent_cpu;
      if (st.arms.count(Arm::kHugin)) paired_agent_cpu[Arm::kHugin] = st.agent_cpu_us_per_request;
      if (st.metrics_only)
        paired_agent_cpu[Arm::kHuginMetrics] = st.metrics_only->agent_cpu_us_per_request;
      md << CostBreakdownMarkdown(st.cost, paired_agent_cpu);
    }
    WireTable(md, s);
    md << "Verdicts:\n\n";
    for (const auto& v : s.verdicts)
      md << "- " << VerdictStatusName(v.status) << " `" << v.name << "`: " << v.detail << "\n";
    for (const auto& e : s.errors) md << "- error: " << e << "\n";
    auto p = plots.find(sc.name);
    if (p != plots.end())
      for (const auto& file : p->second) md << "\n![" << file << "](" << file << ")\n";
  }
  if (!extras.appendix.empty()) md << "\n" << extras.appendix;
  return md.str();
}

}  // namespace hugin::harness
