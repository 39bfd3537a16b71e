#include "harness/report/cost_report.h"

#include <sstream>

#include "harness/util/fixed_point.h"

namespace hugin::harness {
namespace {

using nlohmann::json;

std::string Num(double v, int digits) { return FixedPoint(v, digits); }

json TopJson(const std::vector<SymbolSamples>& top) {
  json a = json::array();
  for (const auto& t : top) a.push_back({{"symbol", t.symbol}, {"samples", t.samples}});
  return a;
}

json ProcessJson(const ProcessCost& c) {
  json groups = json::array();
  for (const GroupCost& g : c.groups)
    groups.push_back({{"group", g.group}, {"samples", g.samples}, {"share", g.share},
                      {"us_per_request", g.us_per_request}, {"top_symbols", TopJson(g.top)}});
  return {{"error", c.error.empty() ? json(nullptr) : json(c.error)},
          {"samples", c.samples},
          {"cpu_us_per_request", c.cpu_us_per_request},
          {"groups", groups}};
}

// "tracing 12.0 (1.2%)" cells' top symbols, for the reader who wants to extend the table.
std::string TopText(const std::vector<SymbolSamples>& top, size_t n = 3) {
  std::string t;
  for (size_t i = 0; i < top.size() && i < n; ++i)
    t += (i ? ", " : "") + std::string("`") + top[i].symbol + "` " + std::to_string(top[i].samples);
  return t;
}

void ProcessTable(std::ostringstream& md, const ProcessCost& c, const char* what) {
  md << "| " << what << " | samples | share | µs/request | top leaf symbols (samples) |\n"
     << "|---|---|---|---|---|\n";
  for (const GroupCost& g : c.groups)
    md << "| " << g.group << " | " << g.samples << " | " << Num(100 * g.share, 1) << " % | "
       << Num(g.us_per_request, 2) << " | " << TopText(g.top) << " |\n";
  md << "| **total** | " << c.samples << " | 100 % | " << Num(c.cpu_us_per_request, 2) << " | |\n\n";
}

// Per program: runs, ns per run and per request; the total row's ns is the run's own total.
void ProgramTable(std::ostringstream& md, const std::vector<ProgramCost>& programs,
                  double total_ns_per_request) {
  md << "| program | runs/request | ns/run | ns/request |\n|---|---|---|---|\n";
  double runs = 0;
  for (const ProgramCost& p : programs) {
    md << "| " << p.name << " | " << Num(p.runs_per_request, 2) << " | " << Num(p.ns_per_run, 0)
       << " | " << Num(p.ns_per_request, 0) << " |\n";
    runs += p.runs_per_request;
  }
  md << "| **total** | " << Num(runs, 2) << " | | " << Num(total_ns_per_request, 0) << " |\n\n";
}

// "<who> probe time above the floor: X − F = D ns/request": the floor's run is another run, so
// the line says how far the two can be compared.
void AboveFloor(std::ostringstream& md, const char* who, double ns, double floor_ns) {
  md << who << " probe time above the floor: " << Num(ns, 0) << " − " << Num(floor_ns, 0) << " = "
     << Num(ns - floor_ns, 0)
     << " ns/request (the two runs' runs/request differ a little: every process's syscalls "
        "count).\n\n";
}

// Every program's runs over the run's requests: a program table's total runs/request.
double RunsPerRequest(const std::vector<ProgramCost>& programs) {
  double runs = 0;
  for (const ProgramCost& p : programs) runs += p.runs_per_request;
  return runs;
}

// One row per step of the cost ladder that had its probe-time run, the floor first and Hugin
// last, so each step's BPF ns/request reads against the one below it.
void LadderTable(std::ostringstream& md, const CostBreakdown& b) {
  struct Row {
    std::string step;
    double ns_per_request, runs_per_request;
  };
  std::vector<Row> rows;
  const bool floor = !b.floor_programs.empty();
  if (floor)
    rows.push_back({"hook_floor", b.floor_probe_ns_per_request, RunsPerRequest(b.floor_programs)});
  for (const LadderStepCost& c : b.ladder)
    rows.push_back({ArmName(c.arm), c.ns_per_request, RunsPerRequest(c.programs)});
  const char* metrics_only = "hugin_metrics (metrics-only)";
  if (!b.metrics_programs.empty())
    rows.push_back(
        {metrics_only, b.metrics_probe_ns_per_request, RunsPerRequest(b.metrics_programs)});
  if (!b.programs.empty())
    rows.push_back({b.probe_arm == Arm::kHugin ? "hugin" : metrics_only, b.probe_ns_per_request,
                    RunsPerRequest(b.programs)});
  md << "Probe time up the cost ladder (each step's own probe-time run; runs/request: all its "
        "programs' runs / requests served; above the floor: minus the hook floor's ns/request):\n\n"
     << "| step | ns/request | runs/request | ns/request above the floor |\n|---|---|---|---|\n";
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    md << "| " << r.step << " | " << Num(r.ns_per_request, 0) << " | "
       << Num(r.runs_per_request, 2) << " | "
       << (floor && i > 0 ? Num(r.ns_per_request - b.floor_probe_ns_per_request, 0) : "")
       << " |\n";
  }
  md << "\n";
}

}  // namespace

json CostBreakdownJson(const CostBreakdown& b) {
  auto programs_json = [](const std::vector<ProgramCost>& list) {
    json a = json::array();
    for (const ProgramCost& p : list)
      a.push_back({{"name", p.name}, {"runs", p.runs}, {"run_time_ns", p.run_time_ns},
                   {"runs_per_request", p.runs_per_request}, {"ns_per_run", p.ns_per_run},
                   {"ns_per_request", p.ns_per_request}});
    return a;
  };
  const json programs = programs_json(b.programs);
  json ladder = json::array();
  for (const LadderStepCost& c : b.ladder)
    ladder.push_back({{"arm", ArmName(c.arm)}, {"requests", c.requests},
                      {"ns_per_request", c.ns_per_request},
                      {"programs", programs_json(c.programs)}});
  json arms = json::array();
  for (const AgentArmCost& a : b.arms) {
    json added = json::array();
    for (const GroupDiff& d : a.service_added)
      added.push_back({{"group", d.group}, {"baseline_us_per_request", d.baseline_us_per_request},
                       {"instrumented_us_per_request", d.instrumented_us_per_request},
                       {"added_us_per_request", d.added_us_per_request}});
    arms.push_back({{"arm", ArmName(a.arm)}, {"requests", a.requests},
                    {"service", ProcessJson(a.service)}, {"service_added", added},
                    {"agent", ProcessJson(a.agent)}});
  }
  return {{"programs", programs},
          {"probe_requests", b.probe_requests},
          {"probe_ns_per_request", b.probe_ns_per_request},
          {"metrics_programs", programs_json(b.metrics_programs)},
          {"metrics_probe_requests", b.metrics_probe_requests},
          {"metrics_probe_ns_per_request", b.metrics_probe_ns_per_request},
          {"floor_programs", programs_json(b.floor_programs)},
          {"floor_probe_requests", b.floor_probe_requests},
          {"floor_probe_ns_per_request", b.floor_probe_ns_per_request},
          {"ladder", ladder},
          {"baseline_service", b.baseline_service ? ProcessJson(*b.baseline_service) : json(nullptr)},
          {"baseline_requests", b.baseline_requests},
          {"arms", arms}};
}

std::string CostBreakdownMarkdown(const CostBreakdown& b, const std::map<Arm, double>& paired_agent_cpu) {
  if (b.empty()) return "";
  std::ostringstream md;
  md << "#### Cost breakdown\n\n";
  if (!b.programs.empty()) {
    md << "BPF programs (probe-time run, kernel.bpf_stats_enabled=1, " << b.probe_requests
       << " requests; runs count every process's syscalls, filtered in the kernel):\n\n";
    ProgramTable(md, b.programs, b.probe_ns_per_request);
  }
  if (!b.metrics_programs.empty()) {
    md << "The metrics-only agent's programs (probe-time run of hugin_metrics, "
       << b.metrics_probe_requests
       << " requests; trace printer off: HTTP/1 exchanges aggregated in the kernel):\n\n";
    ProgramTable(md, b.metrics_programs, b.metrics_probe_ns_per_request);
  }
  if (!b.floor_programs.empty()) {
    md << "The hook floor's empty programs under the same bpf_stats (probe-time run of hook_floor, "
       << b.floor_probe_requests
       << " requests): what bpf_stats counts for programs that do nothing, the tracepoint dispatch "
          "and the stats' own clock reads:\n\n";
    ProgramTable(md, b.floor_programs, b.floor_probe_ns_per_request);
    if (!b.programs.empty())
      AboveFloor(md, "Hugin's", b.probe_ns_per_request, b.floor_probe_ns_per_request);
    if (!b.metrics_programs.empty())
      AboveFloor(md, "Metrics-only", b.metrics_probe_ns_per_request, b.floor_probe_ns_per_request);
  }
  if (!b.ladder.empty()) LadderTable(md, b);
  if (b.baseline_service || !b.arms.empty())
    md << "Profile runs (perf record, one run per arm, in no pair): µs/request = the group's share "
          "of the process's samples × its CPU (/proc) over the run / requests served.\n\n";
  if (b.baseline_service && !b.baseline_service->error.empty())
    md << "- baseline service profile: **" << b.baseline_service->error << "**\n\n";
  for (const AgentArmCost& a : b.arms) {
    const char* arm = ArmName(a.arm);
    if (!a.service_added.empty()) {
      md << "Service CPU per request by group, baseline vs " << arm << " (the perf diff):\n\n"
         << "| group | baseline µs/req | " << arm << " µs/req | added µs/req |\n|---|---|---|---|\n";
      double base = 0, inst = 0;
      for (const GroupDiff& d : a.service_added) {
        md << "| " << d.group << " | " << Num(d.baseline_us_per_request, 2) << " | "
           << Num(d.instrumented_us_per_request, 2) << " | " << Num(d.added_us_per_request, 2)
           << " |\n";
        base += d.baseline_us_per_request;
        inst += d.instrumented_us_per_request;
      }
      md << "| **total** | " << Num(base, 2) << " | " << Num(inst, 2) << " | "
         << Num(inst - base, 2) << " |\n\n";
      md << "Top leaf symbols of the " << arm << " service's profile (samples):";
      for (const GroupCost& g : a.service.groups)
        if (!g.top.empty()) md << " " << g.group << ": " << TopText(g.top) << ";";
      md << "\n\n";
    } else if (!a.service.error.empty()) {
      md << "- " << arm << " service profile: **" << a.service.error << "**\n\n";
    } else {
      md << "Service CPU per request by group, " << arm << " (no baseline profile to diff):\n\n";
      ProcessTable(md, a.service, "group");
    }
    if (!a.agent.error.empty()) {
      md << "- " << arm << " agent profile: **" << a.agent.error << "**\n\n";
      continue;
    }
    md << "Agent CPU per request by stage, " << arm << " (" << Num(a.agent.cpu_us_per_request, 2)
       << " µs/req in this profile run";
    if (auto it = paired_agent_cpu.find(a.arm); it != paired_agent_cpu.end())
      md << "; " << Num(it->second, 2) << " in the paired runs";
    md << "):\n\n";
    ProcessTable(md, a.agent, "stage");
  }
  return md.str();
}

}  // namespace hugin::harness
