// Microbenchmarks quoted in the report (issue 4): the Google Benchmark binaries of core/ (HTTP/1.x
// stitcher, ring buffer record decode, connection tracker), run once per harness invocation with
// JSON output, parsed into rows for report.md and result.json.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace hugin::harness {

struct MicroBenchmark {
  std::string binary;  // e.g. "conn_tracker_benchmark"
  std::string name;    // e.g. "BM_KeepAliveGet"
  double ns_per_op = 0;      // wall time per iteration, converted to ns
  double cpu_ns_per_op = 0;
  int64_t iterations = 0;
  std::optional<double> items_per_second, bytes_per_second;
  std::map<std::string, double> counters;  // any other user counter (e.g. captured_bytes_per_second)
};

struct MicrobenchRun {
  std::vector<MicroBenchmark> results;
  std::vector<std::string> errors;  // a binary missing, failing, or printing what is not JSON
};

// Parses `--benchmark_format=json` output. Aggregate rows (mean/median/... of repetitions) are
// left out; a benchmark that reported an error becomes a line in `errors`. Malformed JSON yields
// no rows and one error.
std::vector<MicroBenchmark> ParseBenchmarkJson(const std::string& binary, const std::string& text,
                                               std::vector<std::string>& errors);

// The binaries the harness runs, as workspace-relative paths (core/events/decode_benchmark, ...).
const std::vector<std::string>& MicrobenchBinaries();

// Runs every binary in MicrobenchBinaries() with `--benchmark_min_time=min_time_s` (bounded by
// a timeout each). Never throws: problems are collected in `errors`.
MicrobenchRun RunMicrobenchmarks(double min_time_s = 0.2);

nlohmann::json MicrobenchJson(const MicrobenchRun& run);
// The report's "Microbenchmarks" section (a table, then one line per error).
std::string MicrobenchMarkdown(const MicrobenchRun& run);

}  // namespace hugin::harness
