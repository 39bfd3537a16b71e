// The agent's configuration: command-line flags and environment variables
// (Hugin's own names and Beyla's names, verbatim), merged and validated.
//
// Precedence, highest first: flag > HUGIN_* > BEYLA_* > bare Beyla names
// (OPEN_PORT, EXECUTABLE_NAME, PRINT_TRACES) > OTEL_SERVICE_NAME.
// Empty or all-blank values count as unset.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/common/result.h"
#include "core/config/data_path.h"

namespace hugin {

enum class TracePrinter { kDisabled, kText, kJson };

// How far the kernel's work on a data call goes (Config::probe_stage); values as bpf/hugin.h
// enum hg_probe_stage.
enum class ProbeStage : uint8_t { kFull = 0, kLookup = 1, kHeads = 2 };

struct PortRange {
  uint16_t first = 0;
  uint16_t last = 0;
};

struct Config {
  std::vector<PortRange> open_ports;  // empty = not selecting by port
  // Empty = not selecting by executable. An RE2 (Go regexp syntax, as Beyla) regex searched
  // (not anchored unless it says so) in the /proc/PID/exe path; see executable_matcher.h.
  std::string executable_regex;
  TracePrinter trace_printer = TracePrinter::kDisabled;
  uint16_t prometheus_port = 0;          // 0 = no endpoint
  uint32_t payload_bytes = 512;          // bytes captured per syscall, 64..4096 (capture_limits.h)
  // Power of two, 4 KiB .. 1 GiB (capture_limits.h). 2 MiB: the kernel maps its data pages
  // twice, so it costs 2x in RSS; 16 MiB (the old default) was 32 MB of the agent's RSS, and
  // 2 MiB lost no record at the highest rates measured here (README "Memory").
  uint32_t ringbuf_bytes = 2u << 20;
  std::string service_name;              // empty = executable base name
  std::string user = "nobody";           // the parsing process's user (core/privsep)
  uint32_t discovery_interval_ms = 1000;  // 10 .. 3600000
  bool trace_all = false;                // hidden/testing: no pid filter
  // Memory bounds (core/conn TrackerLimits, core/protocols ParserLimits); each eviction is
  // counted in hugin_evictions_total.
  uint32_t max_connections = 16384;        // tracked at once, 16 .. 4194304
  uint32_t max_in_flight_requests = 256;   // per connection, 1 .. 65536
  uint32_t max_header_bytes = 16u << 10;   // per connection and direction, 256 .. 16M
  uint32_t max_pending_pairings = 32768;   // across connections, 16 .. 16777216
  // --kernel-metrics / HUGIN_KERNEL_METRICS: may server-side HTTP/1 RED metrics be aggregated
  // in the kernel (no records for those exchanges)? Only used when the agent produces no spans
  // (core/agent kernel_metrics.h decides).
  bool kernel_metrics = true;
  // HUGIN_PROBE_STAGE (research, no flag): full (default) | lookup | heads. Below full, each
  // data call stops after finding its connection (lookup) or after copying its first bytes
  // (heads), and nothing is recorded: the harness's cost ladder (stage arms) measures what
  // each step of the kernel's work costs the service. bpf/hugin.h enum hg_probe_stage.
  ProbeStage probe_stage = ProbeStage::kFull;
  // HUGIN_DATA_PATH (no flag): auto (default) | syscalls | sockets. Where the kernel sees data
  // calls; auto takes sockets when the kernel has their tracepoints. For A/B measurements and
  // for a kernel whose socket tracepoints misbehave.
  DataPath data_path = DataPath::kAuto;
};

// --help was asked for: `text` is the (multi-line) usage; print it to stdout and exit 0.
struct HelpText {
  std::string text;
};

// What the command line asks for: run with a Config, or show the usage.
using ParsedCommandLine = std::variant<Config, HelpText>;

// The exit code for bad input (flags or environment): the Error's message, one line
// starting with "hugin: ", goes to stderr. Also used for a bad HUGIN_FAULT.
inline constexpr int kExitBadInput = 2;

// An environment variable's value; std::nullopt when it is not set.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// An Error is bad input (exit kExitBadInput).
Result<ParsedCommandLine> ParseConfig(int argc, const char* const* argv, const EnvLookup& env);

// getenv-backed lookup.
EnvLookup ProcessEnv();

// True if `port` falls in one of config.open_ports.
bool PortSelected(const Config& config, uint16_t port);

}  // namespace hugin
