// The Hugin measurement harness: `bazel run //harness -- scenarios/NAME.yaml [...] [--out DIR]`.
// Runs each scenario (baseline / instrumented interleaved), writes result.json, report.md and
// plots into the run folder, and exits 1 when a threshold fails (2 on bad usage or scenario).
#include <sys/utsname.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

#include "harness/util/binaries.h"
#include "harness/collect/measure.h"
#include "harness/collect/microbench.h"
#include "harness/report/plots.h"
#include "harness/util/process.h"
#include "harness/report/report.h"
#include "harness/model/scenario.h"
#include "harness/run/scenario_runner.h"
#include "harness/report/summary_plot.h"

namespace fs = std::filesystem;
using namespace hugin::harness;

namespace {

std::string ResolveScenarioPath(const std::string& path) {
  if (fs::path(path).is_absolute() || fs::exists(path)) return path;
  return WorkspaceDirectory() + "/" + path;  // bazel run's cwd is the runfiles tree
}

std::string UtcNow(const char* format) {
  const std::time_t t = std::time(nullptr);
  char buf[64];
  std::strftime(buf, sizeof buf, format, std::gmtime(&t));
  return buf;
}

// `out_dir`: the run folder, left out of the dirty-tree check (GitStatusCommand).
RunInfo CollectRunInfo(const std::string& out_dir) {
  RunInfo info;
  info.started_utc = UtcNow("%Y-%m-%dT%H:%M:%SZ");
  std::string out;
  const std::string ws = WorkspaceDirectory();
  if (RunCommand({"git", "-C", ws, "rev-parse", "HEAD"}, out, std::chrono::seconds(10)) == 0)
    info.commit = out.substr(0, out.find('\n'));
  else
    info.commit = "unknown";
  if (RunCommand(GitStatusCommand(ws, out_dir), out, std::chrono::seconds(10)) == 0)
    info.tree_dirty = !out.empty();
  utsname u{};
  if (uname(&u) == 0) {
    info.host = u.nodename;
    info.kernel = u.release;
  }
  info.cpus = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
  return info;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Hugin measurement harness: overhead, accuracy and event loss per scenario"};
  std::vector<std::string> scenario_files;
  std::string out_dir;
  bool keep_raw = false;
  bool no_microbench = false;
  bool no_wire_capture = false;
  app.add_option("scenarios", scenario_files, "scenario YAML files (default scenarios/quickstart.yaml)");
  app.add_option("--out", out_dir, "run folder (default results/<name or all>/<timestamp>/)");
  app.add_flag("--keep-raw", keep_raw, "keep per-run access logs, span logs and Prometheus data");
  app.add_flag("--no-microbench", no_microbench,
               "skip the core/ microbenchmarks (run once after the scenarios, a few seconds)");
  app.add_flag("--no-wire-capture", no_wire_capture,
               "no loopback capture (wire timing oracle) in fixed-rate plain-HTTP scenarios");
  CLI11_PARSE(app, argc, argv);
  if (scenario_files.empty()) scenario_files.push_back("scenarios/quickstart.yaml");

  // Load every scenario first: a YAML mistake fails fast, before minutes of load.
  std::vector<Scenario> scenarios;
  try {
    for (const auto& f : scenario_files) scenarios.push_back(LoadScenarioFile(ResolveScenarioPath(f)));
  } catch (const ScenarioError& e) {
    std::cerr << "harness: " << e.what() << "\n";
    return 2;
  }
  if (geteuid() != 0) {
    std::cerr << "harness: must run as root (the agent loads BPF programs, bpf_stats_enabled)\n";
    return 2;
  }
  if (out_dir.empty()) {
    out_dir = WorkspaceDirectory() + "/results/" +
              (scenarios.size() == 1 ? scenarios.front().name : std::string("all")) + "/" +
              UtcNow("%Y%m%dT%H%M%SZ");
  } else if (!fs::path(out_dir).is_absolute()) {
    out_dir = WorkspaceDirectory() + "/" + out_dir;
  }
  fs::create_directories(out_dir);
  std::cerr << "[harness] run folder " << out_dir << "\n";

  RunInfo info = CollectRunInfo(out_dir);
  RunnerOptions options;
  options.out_dir = out_dir;
  options.keep_raw = keep_raw;
  options.wire_capture = !no_wire_capture;

  std::vector<ScenarioSummary> summaries;
  std::map<std::string, std::vector<std::string>> plots;
  for (const auto& s : scenarios) {
    summaries.push_back(RunScenario(s, options));
    std::vector<std::string> plot_errors;
    plots[s.name] = DrawPlots(summaries.back(), out_dir, plot_errors);
    for (const auto& e : plot_errors) std::cerr << "[harness] plot: " << e << "\n";
    std::cerr << "[harness] " << s.name << ": " << (summaries.back().passed() ? "PASS" : "FAIL")
              << " (" << summaries.back().wall_s << " s)\n";
    for (const auto& v : summaries.back().verdicts)
      std::cerr << "[harness]   " << VerdictStatusName(v.status) << " " << v.name << ": " << v.detail << "\n";
  }
  ReportExtras extras;
  std::vector<std::string> plot_errors;
  if (auto png = DrawSummaryPlot(summaries, out_dir, plot_errors)) extras.summary_plot = *png;
  for (const auto& e : plot_errors) std::cerr << "[harness] plot: " << e << "\n";

  // Once per invocation, after the load: a failure is a line in the report, never the exit status.
  std::optional<MicrobenchRun> micro;
  if (!no_microbench) {
    std::cerr << "[harness] microbenchmarks\n";
    micro = RunMicrobenchmarks(0.2);
    for (const auto& e : micro->errors) std::cerr << "[harness] microbenchmark: " << e << "\n";
    extras.appendix = MicrobenchMarkdown(*micro);
  }
  info.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - options.started).count();

  nlohmann::json result = ResultJson(info, summaries);
  if (micro) {
    result["microbenchmarks"] = MicrobenchJson(*micro);
    result["microbenchmark_errors"] = micro->errors;
  }
  std::ofstream(out_dir + "/result.json") << result.dump(2) << "\n";
  std::ofstream(out_dir + "/report.md") << ReportMarkdown(info, summaries, plots, extras);
  bool passed = true;
  for (const auto& s : summaries) passed = passed && s.passed();
  std::cerr << "[harness] wrote " << out_dir << "/report.md and result.json; "
            << (passed ? "all thresholds passed" : "THRESHOLD FAILED") << " (" << info.wall_s << " s)\n";
  return passed ? 0 : 1;
}
