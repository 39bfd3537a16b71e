// The run folder's outputs: result.json (machine-readable, per scenario) and report.md (a table
// per scenario and a verdict line per threshold).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/analyze/summary.h"

namespace hugin::harness {

struct RunInfo {
  std::string commit;       // git HEAD of the workspace the run was made from
  bool tree_dirty = false;
  std::string started_utc;
  double wall_s = 0;
  std::string host;
  std::string kernel;
  int cpus = 0;
};

nlohmann::json ScenarioJson(const ScenarioSummary& s);
nlohmann::json ResultJson(const RunInfo& info, const std::vector<ScenarioSummary>& scenarios);
// Optional parts of report.md that come from the whole run rather than one scenario.
struct ReportExtras {
  std::string summary_plot;  // e.g. "plots/summary.png", shown under the summary table; "" = none
  std::string appendix;      // markdown appended at the end (the Microbenchmarks section)
};

// `plots`: file names (relative to the run folder) per scenario name, embedded as images.
std::string ReportMarkdown(const RunInfo& info, const std::vector<ScenarioSummary>& scenarios,
                           const std::map<std::string, std::vector<std::string>>& plots,
                           const ReportExtras& extras = {});

}  // namespace hugin::harness
