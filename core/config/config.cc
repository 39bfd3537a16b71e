#include "core/config/config.h"

#include <CLI/CLI.hpp>

#include <cstdlib>
#include <initializer_list>

#include "core/config/capture_limits.h"
#include "core/config/executable_matcher.h"
#include "core/config/glob.h"
#include "core/config/port_list.h"
#include "core/config/value_parsing.h"

namespace hugin {
namespace {

using config_internal::Quote;
using config_internal::Trim;

// A value together with where it came from ("--open-port", "OPEN_PORT"), so
// errors can name the source the user has to fix.
struct Sourced {
  std::string source;
  std::string value;
};

Error BadInput(const Sourced& s, const std::string& why) {
  return Error{"hugin: " + s.source + "=" + Quote(s.value) + ": " + why};
}

// Raw flag values; a flag that was not given stays std::nullopt.
struct Flags {
  std::optional<std::string> open_port, executable_name, trace_printer, prometheus_port,
      payload_bytes, ringbuf_bytes, service_name, discovery_interval_ms, max_connections,
      max_in_flight_requests, max_header_bytes, max_pending_pairings, user, kernel_metrics;
  bool trace_all = false;
};

const char kEnvHelp[] =
    "Environment (a flag wins over its variable; earlier names win over later ones):\n"
    "  HUGIN_OPEN_PORT, BEYLA_OPEN_PORT, OPEN_PORT          ports to select, e.g. 80,443,8000-8999\n"
    "  HUGIN_EXECUTABLE_NAME, BEYLA_EXECUTABLE_NAME          regex (RE2) searched in the executable path\n"
    "  BEYLA_AUTO_TARGET_EXE                                glob on the executable path, e.g. */server\n"
    "  EXECUTABLE_NAME                                      regex, as HUGIN_EXECUTABLE_NAME\n"
    "  HUGIN_TRACE_PRINTER, BEYLA_TRACE_PRINTER             text | json | disabled\n"
    "  BEYLA_PRINT_TRACES, PRINT_TRACES                     true = text printer\n"
    "  HUGIN_PROMETHEUS_PORT, BEYLA_PROMETHEUS_PORT         port of the /metrics endpoint\n"
    "  HUGIN_PAYLOAD_BYTES, HUGIN_RINGBUF_BYTES, HUGIN_DISCOVERY_INTERVAL_MS\n"
    "  HUGIN_SERVICE_NAME, BEYLA_SERVICE_NAME, OTEL_SERVICE_NAME\n"
    "  HUGIN_MAX_CONNECTIONS, HUGIN_MAX_IN_FLIGHT_REQUESTS, HUGIN_MAX_HEADER_BYTES,\n"
    "  HUGIN_MAX_PENDING_PAIRINGS                           memory bounds (see --help above)\n"
    "  HUGIN_USER                                           user of the parsing process\n"
    "  HUGIN_KERNEL_METRICS                                 true | false, as --kernel-metrics on | off\n"
    "  HUGIN_PROBE_STAGE                                    full | lookup | heads: a cost measurement;\n"
    "                                                       below full nothing is recorded\n"
    "  HUGIN_DATA_PATH                                      auto | syscalls | sockets: where the kernel\n"
    "                                                       sees data calls (auto: sockets on 6.4+)\n";

// Parses argv with CLI11: the flags, the usage for --help, or an Error for a bad command line.
// CLI11 reports both --help and bad flags by throwing; the exceptions stop here.
Result<std::variant<Flags, HelpText>> ParseFlags(int argc, const char* const* argv) {
  CLI::App app{"Hugin: eBPF auto-instrumentation agent (traces and RED metrics, no code change)",
               "hugin"};
  app.footer(kEnvHelp);
  Flags flags;
  std::string open_port, executable_name, trace_printer, prometheus_port, payload_bytes,
      ringbuf_bytes, service_name, discovery_interval_ms, max_connections, max_in_flight,
      max_header_bytes, max_pending, user, kernel_metrics;
  auto* o_port = app.add_option("--open-port", open_port,
                                "Select processes listening on these ports (80,443,8000-8999)");
  auto* o_exe = app.add_option("--executable-name", executable_name,
                               "Select processes whose executable path matches this regex");
  auto* o_printer = app.add_option("--trace-printer", trace_printer,
                                   "Print one line per request: text | json | disabled");
  auto* o_prom = app.add_option("--prometheus-port", prometheus_port,
                                "Serve Prometheus metrics at :PORT/metrics (0 = off)");
  auto* o_payload = app.add_option("--payload-bytes", payload_bytes,
                                   "Bytes captured per syscall, 64..4096 (default 512)");
  auto* o_ringbuf = app.add_option("--ringbuf-bytes", ringbuf_bytes,
                                   "Ring buffer size, power of two, 4K..1G (default 2M)");
  auto* o_service = app.add_option("--service-name", service_name,
                                   "service_name label (default: executable base name)");
  auto* o_interval = app.add_option("--discovery-interval-ms", discovery_interval_ms,
                                    "How often to re-check which processes to watch (default 1000)");
  auto* o_conns = app.add_option("--max-connections", max_connections,
                                 "Connections tracked at once; the least recently active is "
                                 "evicted beyond (default 16384)");
  auto* o_in_flight = app.add_option("--max-in-flight-requests", max_in_flight,
                                     "Requests awaiting an answer per connection (HTTP/1.x "
                                     "pipelined, HTTP/2 open streams; default 256)");
  auto* o_header = app.add_option("--max-header-bytes", max_header_bytes,
                                  "Bytes of one message head buffered per connection and "
                                  "direction (default 16K)");
  auto* o_pending = app.add_option("--max-pending-pairings", max_pending,
                                   "Requests held for pairing across all connections "
                                   "(default 32768)");
  auto* o_user = app.add_option("--user", user,
                                "User the parsing process runs as, unprivileged (default nobody)");
  auto* o_kernel = app.add_option("--kernel-metrics", kernel_metrics,
                                  "Aggregate HTTP/1 server metrics in the kernel when no span is "
                                  "produced (trace printer disabled; default on)");
  for (auto [option, type] : {std::pair{o_port, "PORTS"}, {o_exe, "REGEX"}, {o_printer, "MODE"},
                               {o_prom, "PORT"}, {o_payload, "BYTES"}, {o_ringbuf, "BYTES"},
                               {o_service, "NAME"}, {o_interval, "MS"}, {o_conns, "N"},
                               {o_in_flight, "N"}, {o_header, "BYTES"}, {o_pending, "N"},
                               {o_user, "USER"}, {o_kernel, "on|off"}}) {
    option->type_name(type);
  }
  app.add_flag("--trace-all", flags.trace_all, "Testing: trace every process")->group("");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    return std::variant<Flags, HelpText>{HelpText{app.help()}};
  } catch (const CLI::ParseError& e) {
    std::string what = e.what();
    for (char& c : what) if (c == '\n') c = ' ';
    return Error{"hugin: " + what + " (see --help)"};
  }
  auto take = [](CLI::Option* option, const std::string& value) -> std::optional<std::string> {
    if (option->count() == 0) return std::nullopt;
    return value;
  };
  flags.open_port = take(o_port, open_port);
  flags.executable_name = take(o_exe, executable_name);
  flags.trace_printer = take(o_printer, trace_printer);
  flags.prometheus_port = take(o_prom, prometheus_port);
  flags.payload_bytes = take(o_payload, payload_bytes);
  flags.ringbuf_bytes = take(o_ringbuf, ringbuf_bytes);
  flags.service_name = take(o_service, service_name);
  flags.discovery_interval_ms = take(o_interval, discovery_interval_ms);
  flags.max_connections = take(o_conns, max_connections);
  flags.max_in_flight_requests = take(o_in_flight, max_in_flight);
  flags.max_header_bytes = take(o_header, max_header_bytes);
  flags.max_pending_pairings = take(o_pending, max_pending);
  flags.user = take(o_user, user);
  flags.kernel_metrics = take(o_kernel, kernel_metrics);
  return std::variant<Flags, HelpText>{std::move(flags)};
}

// The first non-blank value: the flag, then each environment variable in order.
std::optional<Sourced> Pick(const std::optional<std::string>& flag, const char* flag_name,
                            std::initializer_list<const char*> env_names, const EnvLookup& env) {
  if (flag && !Trim(*flag).empty()) return Sourced{flag_name, *flag};
  for (const char* name : env_names) {
    std::optional<std::string> value = env(name);
    if (value && !Trim(*value).empty()) return Sourced{name, *value};
  }
  return std::nullopt;
}

Status ApplyPorts(const Flags& f, const EnvLookup& env, Config& c) {
  auto s = Pick(f.open_port, "--open-port", {"HUGIN_OPEN_PORT", "BEYLA_OPEN_PORT", "OPEN_PORT"}, env);
  if (!s) return Ok{};
  auto parsed = config_internal::ParsePortList(s->value);
  if (!parsed.ok()) return BadInput(*s, parsed.error().message);
  c.open_ports = std::move(parsed).value();
  return Ok{};
}

Status ApplyExecutable(const Flags& f, const EnvLookup& env, Config& c) {
  auto s = Pick(f.executable_name, "--executable-name",
                {"HUGIN_EXECUTABLE_NAME", "BEYLA_EXECUTABLE_NAME", "BEYLA_AUTO_TARGET_EXE",
                 "EXECUTABLE_NAME"},
                env);
  if (!s) return Ok{};
  std::string regex = std::string(Trim(s->value));
  if (s->source == "BEYLA_AUTO_TARGET_EXE") {
    auto converted = config_internal::GlobToRegex(regex);
    if (!converted.ok()) return BadInput(*s, converted.error().message);
    regex = std::move(converted).value();
  }
  if (auto compiled = ExecutableMatcher::Compile(regex); !compiled.ok()) {
    return BadInput(*s, "not a valid regular expression: " + compiled.error().message);
  }
  c.executable_regex = regex;
  return Ok{};
}

Status ApplyTracePrinter(const Flags& f, const EnvLookup& env, Config& c) {
  auto s = Pick(f.trace_printer, "--trace-printer",
                {"HUGIN_TRACE_PRINTER", "BEYLA_TRACE_PRINTER", "BEYLA_PRINT_TRACES", "PRINT_TRACES"},
                env);
  if (!s) return Ok{};
  if (s->source == "BEYLA_PRINT_TRACES" || s->source == "PRINT_TRACES") {
    auto on = config_internal::ParseBool(s->value);
    if (!on) return BadInput(*s, "expected true or false");
    c.trace_printer = *on ? TracePrinter::kText : TracePrinter::kDisabled;
    return Ok{};
  }
  auto printer = config_internal::ParseTracePrinter(s->value);
  if (!printer) return BadInput(*s, "unknown trace printer: use text, json or disabled");
  c.trace_printer = *printer;
  return Ok{};
}

Status ApplyNumbers(const Flags& f, const EnvLookup& env, Config& c) {
  if (auto s = Pick(f.prometheus_port, "--prometheus-port",
                    {"HUGIN_PROMETHEUS_PORT", "BEYLA_PROMETHEUS_PORT"}, env)) {
    auto port = config_internal::ParseUnsigned(s->value, 0, 65535);
    if (!port) return BadInput(*s, "not a port number in 1..65535 (0 = no endpoint)");
    c.prometheus_port = static_cast<uint16_t>(*port);
  }
  if (auto s = Pick(f.payload_bytes, "--payload-bytes", {"HUGIN_PAYLOAD_BYTES"}, env)) {
    auto bytes = config_internal::ParseUnsigned(s->value, kMinPayloadBytes, kMaxPayloadBytes);
    if (!bytes) return BadInput(*s, kPayloadBytesRule);
    c.payload_bytes = static_cast<uint32_t>(*bytes);
  }
  if (auto s = Pick(f.ringbuf_bytes, "--ringbuf-bytes", {"HUGIN_RINGBUF_BYTES"}, env)) {
    auto bytes = config_internal::ParseByteSize(s->value);
    if (!bytes || !RingbufBytesValid(*bytes))
      return BadInput(*s, kRingbufBytesRule);
    c.ringbuf_bytes = static_cast<uint32_t>(*bytes);
  }
  if (auto s = Pick(f.discovery_interval_ms, "--discovery-interval-ms",
                    {"HUGIN_DISCOVERY_INTERVAL_MS"}, env)) {
    auto ms = config_internal::ParseUnsigned(s->value, 10, 3600000);
    if (!ms) return BadInput(*s, "discovery interval must be milliseconds in 10..3600000");
    c.discovery_interval_ms = static_cast<uint32_t>(*ms);
  }
  return Ok{};
}

Status ApplyLimits(const Flags& f, const EnvLookup& env, Config& c) {
  if (auto s = Pick(f.max_connections, "--max-connections", {"HUGIN_MAX_CONNECTIONS"}, env)) {
    auto n = config_internal::ParseUnsigned(s->value, 16, 4194304);
    if (!n) return BadInput(*s, "max connections must be a number in 16..4194304");
    c.max_connections = static_cast<uint32_t>(*n);
  }
  if (auto s = Pick(f.max_in_flight_requests, "--max-in-flight-requests",
                    {"HUGIN_MAX_IN_FLIGHT_REQUESTS"}, env)) {
    auto n = config_internal::ParseUnsigned(s->value, 1, 65536);
    if (!n) return BadInput(*s, "max in-flight requests must be a number in 1..65536");
    c.max_in_flight_requests = static_cast<uint32_t>(*n);
  }
  if (auto s = Pick(f.max_header_bytes, "--max-header-bytes", {"HUGIN_MAX_HEADER_BYTES"}, env)) {
    auto bytes = config_internal::ParseByteSize(s->value);
    if (!bytes || *bytes < 256 || *bytes > (16u << 20)) {
      return BadInput(*s, "max header bytes must be a size in 256..16M (e.g. 16K)");
    }
    c.max_header_bytes = static_cast<uint32_t>(*bytes);
  }
  if (auto s = Pick(f.max_pending_pairings, "--max-pending-pairings",
                    {"HUGIN_MAX_PENDING_PAIRINGS"}, env)) {
    auto n = config_internal::ParseUnsigned(s->value, 16, 16777216);
    if (!n) return BadInput(*s, "max pending pairings must be a number in 16..16777216");
    c.max_pending_pairings = static_cast<uint32_t>(*n);
  }
  return Ok{};
}

Status ApplyKernelMetrics(const Flags& f, const EnvLookup& env, Config& c) {
  auto s = Pick(f.kernel_metrics, "--kernel-metrics", {"HUGIN_KERNEL_METRICS"}, env);
  if (!s) return Ok{};
  // Go's ParseBool set for both (on/off included): the flag is documented on | off, the
  // variable true | false, as the other boolean variables.
  auto on = config_internal::ParseBool(s->value);
  if (!on)
    return BadInput(*s, s->source == "--kernel-metrics" ? "expected on or off"
                                                        : "expected true or false");
  c.kernel_metrics = *on;
  return Ok{};
}

Status ApplyProbeStage(const Flags&, const EnvLookup& env, Config& c) {
  auto s = Pick(std::nullopt, "", {"HUGIN_PROBE_STAGE"}, env);
  if (!s) return Ok{};
  const std::string_view v = Trim(s->value);
  if (v == "full") c.probe_stage = ProbeStage::kFull;
  else if (v == "lookup") c.probe_stage = ProbeStage::kLookup;
  else if (v == "heads") c.probe_stage = ProbeStage::kHeads;
  else return BadInput(*s, "expected full, lookup or heads");
  return Ok{};
}

Status ApplyDataPath(const Flags&, const EnvLookup& env, Config& c) {
  auto s = Pick(std::nullopt, "", {"HUGIN_DATA_PATH"}, env);
  if (!s) return Ok{};
  const auto path = ParseDataPath(Trim(s->value));
  if (!path) return BadInput(*s, "expected auto, syscalls or sockets");
  c.data_path = *path;
  return Ok{};
}

Status ApplyTraceAll(const Flags& f, const EnvLookup& env, Config& c) {
  c.trace_all = f.trace_all;
  if (c.trace_all) return Ok{};
  if (auto s = Pick(std::nullopt, "", {"HUGIN_TRACE_ALL"}, env)) {
    auto on = config_internal::ParseBool(s->value);
    if (!on) return BadInput(*s, "expected true or false");
    c.trace_all = *on;
  }
  return Ok{};
}

}  // namespace

Result<ParsedCommandLine> ParseConfig(int argc, const char* const* argv, const EnvLookup& env) {
  auto parsed = ParseFlags(argc, argv);
  if (!parsed.ok()) return parsed.error();
  if (auto* help = std::get_if<HelpText>(&parsed.value())) return ParsedCommandLine{*help};
  const Flags& flags = std::get<Flags>(parsed.value());

  Config config;
  for (auto apply : {ApplyPorts, ApplyExecutable, ApplyTracePrinter, ApplyNumbers, ApplyLimits,
                     ApplyKernelMetrics, ApplyProbeStage, ApplyDataPath, ApplyTraceAll}) {
    if (Status applied = apply(flags, env, config); !applied.ok()) return applied.error();
  }
  if (auto s = Pick(flags.user, "--user", {"HUGIN_USER"}, env))
    config.user = std::string(Trim(s->value));
  if (auto s = Pick(flags.service_name, "--service-name",
                    {"HUGIN_SERVICE_NAME", "BEYLA_SERVICE_NAME", "OTEL_SERVICE_NAME"}, env)) {
    config.service_name = std::string(Trim(s->value));
  }
  if (config.open_ports.empty() && config.executable_regex.empty() && !config.trace_all) {
    return Error{"hugin: no service selected: set HUGIN_OPEN_PORT or HUGIN_EXECUTABLE_NAME "
                 "(or Beyla's OPEN_PORT / EXECUTABLE_NAME)"};
  }
  return ParsedCommandLine{std::move(config)};
}

EnvLookup ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

bool PortSelected(const Config& config, uint16_t port) {
  for (const PortRange& range : config.open_ports) {
    if (port >= range.first && port <= range.last) return true;
  }
  return false;
}

}  // namespace hugin
