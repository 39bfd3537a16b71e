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
#include <regex>
#include <string>
#include <variant>
#include <vector>

namespace hugin {

enum class TracePrinter { kDisabled, kText, kJson };

struct PortRange {
  uint16_t first = 0;
  uint16_t last = 0;
};

struct Config {
  std::vector<PortRange> open_ports;  // empty = not selecting by port
  // Empty = not selecting by executable. ECMAScript regex searched (not
  // anchored unless it says so) in the /proc/PID/exe path; see ExecutableMatcher.
  std::string executable_regex;
  TracePrinter trace_printer = TracePrinter::kDisabled;
  uint16_t prometheus_port = 0;          // 0 = no endpoint
  uint32_t payload_bytes = 512;          // bytes captured per syscall, 64..4096
  uint32_t ringbuf_bytes = 16u << 20;    // power of two, 64 KiB .. 1 GiB
  std::string service_name;              // empty = executable base name
  std::string user = "nobody";           // the parsing process's user (core/privsep)
  uint32_t discovery_interval_ms = 1000;  // 10 .. 3600000
  bool trace_all = false;                // hidden/testing: no pid filter
};

// exit_code 2: bad input; `message` is one line starting with "hugin: ",
// print it to stderr and exit 2.
// exit_code 0: --help was asked for; `message` is the (multi-line) usage
// text, print it to stdout and exit 0.
struct ConfigError {
  int exit_code = 2;
  std::string message;
};

using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

std::variant<Config, ConfigError> ParseConfig(int argc, const char* const* argv,
                                              const EnvLookup& env);

// getenv-backed lookup.
EnvLookup ProcessEnv();

// True if `port` falls in one of config.open_ports.
bool PortSelected(const Config& config, uint16_t port);

// The compiled form of Config::executable_regex. An empty regex matches
// nothing. ParseConfig has already checked the regex compiles.
class ExecutableMatcher {
 public:
  explicit ExecutableMatcher(const std::string& executable_regex);
  bool Matches(const std::string& exe_path) const;

 private:
  std::optional<std::regex> regex_;
};

}  // namespace hugin
