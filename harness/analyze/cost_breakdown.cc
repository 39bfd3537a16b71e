#include "harness/analyze/cost_breakdown.h"

#include <algorithm>
#include <map>

namespace hugin::harness {
namespace {

// A probe-time run's programs, its requests and the programs' total ns per request.
void TakeProbe(const RunResult& r, std::vector<ProgramCost>& programs, uint64_t& requests,
               double& ns_per_request) {
  programs = ProgramCosts(r.bpf, r.requests_served);
  requests = r.requests_served;
  if (r.requests_served) ns_per_request = double(r.bpf.run_time_ns) / double(r.requests_served);
}

}  // namespace

std::vector<ProgramCost> ProgramCosts(const BpfStats& stats, uint64_t requests) {
  std::vector<ProgramCost> out;
  for (const BpfProgramStats& p : stats.per_program) {
    ProgramCost c;
    c.name = p.name;
    c.runs = p.run_cnt;
    c.run_time_ns = p.run_time_ns;
    if (p.run_cnt) c.ns_per_run = double(p.run_time_ns) / double(p.run_cnt);
    if (requests) {
      c.runs_per_request = double(p.run_cnt) / double(requests);
      c.ns_per_request = double(p.run_time_ns) / double(requests);
    }
    out.push_back(c);
  }
  return out;
}

ProcessCost ProcessCostOf(const Profile& profile, uint64_t requests) {
  ProcessCost c;
  c.error = profile.error;
  c.samples = profile.samples;
  if (!profile.ok()) return c;
  if (!requests) {
    c.error = "no requests served in the profile run";
    return c;
  }
  if (!profile.samples) {
    c.error = "perf recorded no sample";
    return c;
  }
  c.cpu_us_per_request = profile.cpu_us / double(requests);
  for (const GroupSamples& g : profile.groups) {
    GroupCost gc;
    gc.group = g.group;
    gc.samples = g.samples;
    gc.share = double(g.samples) / double(profile.samples);
    gc.us_per_request = gc.share * c.cpu_us_per_request;
    gc.top = g.top;
    c.groups.push_back(gc);
  }
  return c;
}

std::vector<GroupDiff> DiffGroups(const ProcessCost& baseline, const ProcessCost& instrumented) {
  std::vector<GroupDiff> out;
  for (const GroupCost& g : instrumented.groups) {
    GroupDiff d;
    d.group = g.group;
    d.instrumented_us_per_request = g.us_per_request;
    for (const GroupCost& b : baseline.groups)
      if (b.group == g.group) d.baseline_us_per_request = b.us_per_request;
    d.added_us_per_request = d.instrumented_us_per_request - d.baseline_us_per_request;
    out.push_back(d);
  }
  return out;
}

CostBreakdown BreakdownStep(int rate, const std::vector<RunResult>& runs) {
  CostBreakdown b;
  std::map<Arm, const RunResult*> profiled, ladder_probed;
  // hugin_metrics' probe-time run is the main table only when the step has no hugin one; a
  // failed hugin run counts too, so the metrics-only figures are never shown as Hugin's.
  const bool hugin_probed = std::any_of(runs.begin(), runs.end(), [rate](const RunResult& r) {
    return r.rate == rate && r.probe_run && r.arm == Arm::kHugin;
  });
  for (const RunResult& r : runs) {
    if (!r.ok || r.rate != rate) continue;
    // A probe-time run's programs: the agent arm's are Hugin's (hugin_metrics' get their own
    // table when Hugin's run is there too), the hook floor's its own table, a ladder arm's its
    // step's (below).
    const bool metrics_apart = r.arm == Arm::kHuginMetrics && hugin_probed;
    if (r.probe_run && IsAgentArm(r.arm) && !metrics_apart && b.programs.empty()) {
      TakeProbe(r, b.programs, b.probe_requests, b.probe_ns_per_request);
      b.probe_arm = r.arm;
    }
    if (r.probe_run && metrics_apart && b.metrics_programs.empty())
      TakeProbe(r, b.metrics_programs, b.metrics_probe_requests, b.metrics_probe_ns_per_request);
    if (r.probe_run && r.arm == Arm::kHookFloor && b.floor_programs.empty())
      TakeProbe(r, b.floor_programs, b.floor_probe_requests, b.floor_probe_ns_per_request);
    if (r.probe_run && IsStageArm(r.arm)) ladder_probed.emplace(r.arm, &r);
    if (r.profile_run && r.service_profile) profiled.emplace(r.arm, &r);
  }
  for (const Arm arm : kLadderArms) {
    const auto it = ladder_probed.find(arm);
    if (it == ladder_probed.end()) continue;
    LadderStepCost c;
    c.arm = arm;
    TakeProbe(*it->second, c.programs, c.requests, c.ns_per_request);
    b.ladder.push_back(std::move(c));
  }
  if (auto it = profiled.find(Arm::kBaseline); it != profiled.end()) {
    b.baseline_service = ProcessCostOf(*it->second->service_profile, it->second->requests_served);
    b.baseline_requests = it->second->requests_served;
  }
  for (const auto& [arm, r] : profiled) {
    if (!IsAgentArm(arm)) continue;
    AgentArmCost a;
    a.arm = arm;
    a.requests = r->requests_served;
    a.service = ProcessCostOf(*r->service_profile, r->requests_served);
    if (r->agent_profile) a.agent = ProcessCostOf(*r->agent_profile, r->requests_served);
    else a.agent.error = "the agent was not profiled";
    if (b.baseline_service && b.baseline_service->error.empty() && a.service.error.empty())
      a.service_added = DiffGroups(*b.baseline_service, a.service);
    b.arms.push_back(std::move(a));
  }
  return b;
}

}  // namespace hugin::harness
