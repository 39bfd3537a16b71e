#include "harness/collect/microbench.h"

#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <set>
#include <sstream>

#include "harness/util/binaries.h"
#include "harness/util/process.h"

namespace hugin::harness {
namespace {

using nlohmann::json;

double NsPerUnit(const std::string& unit) {
  if (unit == "ns") return 1;
  if (unit == "us") return 1e3;
  if (unit == "ms") return 1e6;
  if (unit == "s") return 1e9;
  return 0;
}

// Keys Google Benchmark writes for every run: not user counters.
const std::set<std::string>& StandardKeys() {
  static const std::set<std::string> keys = {
      "name", "family_index", "per_family_instance_index", "run_name", "run_type",
      "repetitions", "repetition_index", "threads", "iterations", "real_time", "cpu_time",
      "time_unit", "aggregate_name", "aggregate_unit", "error_occurred", "error_message",
      "items_per_second", "bytes_per_second", "label", "big_o", "rms"};
  return keys;
}

std::string Fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// 1234567 -> "1.23 M"; the report reads better with SI prefixes than with raw rates.
std::string Si(double v) {
  const char* prefixes[] = {"", " k", " M", " G", " T"};
  int i = 0;
  while (v >= 1000 && i < 4) {
    v /= 1000;
    ++i;
  }
  return Fixed(v, v < 10 ? 2 : (v < 100 ? 1 : 0)) + prefixes[i];
}

}  // namespace

std::vector<MicroBenchmark> ParseBenchmarkJson(const std::string& binary, const std::string& text,
                                               std::vector<std::string>& errors) {
  std::vector<MicroBenchmark> out;
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() || !j.contains("benchmarks") ||
      !j["benchmarks"].is_array()) {
    errors.push_back(binary + ": output is not Google Benchmark JSON");
    return out;
  }
  for (const json& b : j["benchmarks"]) {
    if (!b.is_object() || !b.contains("name") || !b["name"].is_string()) {
      errors.push_back(binary + ": a benchmark entry without a name");
      continue;
    }
    const std::string name = b["name"].get<std::string>();
    if (b.value("run_type", std::string("iteration")) == "aggregate") continue;
    if (b.value("error_occurred", false)) {
      errors.push_back(binary + " " + name + ": " + b.value("error_message", std::string("error")));
      continue;
    }
    const double scale = NsPerUnit(b.value("time_unit", std::string("ns")));
    if (scale == 0 || !b.contains("real_time") || !b["real_time"].is_number()) {
      errors.push_back(binary + " " + name + ": no real_time or unknown time_unit");
      continue;
    }
    MicroBenchmark m;
    m.binary = binary;
    m.name = name;
    m.ns_per_op = b["real_time"].get<double>() * scale;
    m.cpu_ns_per_op = b.value("cpu_time", 0.0) * scale;
    m.iterations = b.value("iterations", int64_t{0});
    if (b.contains("items_per_second") && b["items_per_second"].is_number())
      m.items_per_second = b["items_per_second"].get<double>();
    if (b.contains("bytes_per_second") && b["bytes_per_second"].is_number())
      m.bytes_per_second = b["bytes_per_second"].get<double>();
    for (const auto& [key, value] : b.items())
      if (!StandardKeys().count(key) && value.is_number()) m.counters[key] = value.get<double>();
    out.push_back(std::move(m));
  }
  return out;
}

const std::vector<std::string>& MicrobenchBinaries() {
  static const std::vector<std::string> binaries = {
      "core/protocols/http1/http1_benchmark",
      "core/events/decode_benchmark",
      "core/conn/conn_tracker_benchmark",
      "tests/bpf/syscall_tax_benchmark",
      "tests/bpf/tls_uprobe_benchmark",
      "core/agent/agent_pipeline_benchmark",
  };
  return binaries;
}

MicrobenchRun RunMicrobenchmarks(double min_time_s) {
  MicrobenchRun run;
  for (const auto& rel : MicrobenchBinaries()) {
    const std::string name = std::filesystem::path(rel).filename().string();
    const auto bin = FindWorkspaceBinary(rel);
    if (!bin) {
      run.errors.push_back(name + ": binary not found (bazel build //" +
                           std::filesystem::path(rel).parent_path().string() + ":" + name + ")");
      continue;
    }
    std::string out;
    int code = -1;
    try {
      code = RunCommand({*bin, "--benchmark_format=json",
                         "--benchmark_min_time=" + Fixed(min_time_s, 3)},
                        out, std::chrono::seconds(60));
    } catch (const std::exception& e) {
      run.errors.push_back(name + ": cannot run: " + e.what());
      continue;
    }
    if (code != 0) {
      run.errors.push_back(name + ": exited with " + std::to_string(code));
      continue;
    }
    auto rows = ParseBenchmarkJson(name, out, run.errors);
    run.results.insert(run.results.end(), rows.begin(), rows.end());
  }
  return run;
}

json MicrobenchJson(const MicrobenchRun& run) {
  json rows = json::array();
  for (const auto& m : run.results) {
    json row = {{"binary", m.binary},        {"name", m.name},
                {"ns_per_op", m.ns_per_op},  {"cpu_ns_per_op", m.cpu_ns_per_op},
                {"iterations", m.iterations}};
    row["items_per_second"] = m.items_per_second ? json(*m.items_per_second) : json(nullptr);
    row["bytes_per_second"] = m.bytes_per_second ? json(*m.bytes_per_second) : json(nullptr);
    row["counters"] = m.counters;
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string MicrobenchMarkdown(const MicrobenchRun& run) {
  std::ostringstream md;
  md << "## Microbenchmarks\n\n"
     << "Google Benchmark binaries of core/ (`--benchmark_min_time=0.2`, one run each, on the same "
        "shared VM): ns per operation is wall time per iteration; items/s are requests for "
        "http1_benchmark, records for decode_benchmark and ring buffer events for "
        "conn_tracker_benchmark (one operation there is one GET/200 exchange); one operation of "
        "tls_uprobe_benchmark is an SSL_write and the SSL_read of its bytes (4 uprobe hits).\n\n";
  if (!run.results.empty()) {
    md << "| binary | benchmark | ns/op | items/s | MB/s |\n|---|---|---|---|---|\n";
    for (const auto& m : run.results)
      md << "| " << m.binary << " | " << m.name << " | " << Fixed(m.ns_per_op, 1) << " | "
         << (m.items_per_second ? Si(*m.items_per_second) : "") << " | "
         << (m.bytes_per_second ? Fixed(*m.bytes_per_second / 1e6, 1) : "") << " |\n";
    md << "\n";
  }
  for (const auto& e : run.errors) md << "- microbenchmark error: " << e << "\n";
  if (run.results.empty() && run.errors.empty()) md << "- no microbenchmark ran\n";
  return md.str();
}

}  // namespace hugin::harness
