#include "core/config/config.h"
#include "core/config/executable_matcher.h"

#include <gtest/gtest.h>

#include <map>

namespace hugin {
namespace {

using Env = std::map<std::string, std::string>;

EnvLookup FakeEnv(Env env) {
  return [env = std::move(env)](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
}

Result<ParsedCommandLine> Parse(std::vector<std::string> args, Env env) {
  args.insert(args.begin(), "hugin");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  return ParseConfig(static_cast<int>(argv.size()), argv.data(), FakeEnv(std::move(env)));
}

Config ParseOk(std::vector<std::string> args, Env env) {
  auto result = Parse(std::move(args), std::move(env));
  if (!result.ok()) {
    ADD_FAILURE() << "unexpected error: " << result.error().message;
    return {};
  }
  if (!std::holds_alternative<Config>(result.value())) {
    ADD_FAILURE() << "unexpected usage text";
    return {};
  }
  return std::get<Config>(result.value());
}

Error ParseErr(std::vector<std::string> args, Env env) {
  auto result = Parse(std::move(args), std::move(env));
  if (result.ok()) {
    ADD_FAILURE() << "expected an error";
    return {};
  }
  return result.error();
}

// The usage text; "" (and a failure) for anything else.
std::string ParseHelp(std::vector<std::string> args) {
  auto result = Parse(std::move(args), {});
  if (!result.ok() || !std::holds_alternative<HelpText>(result.value())) {
    ADD_FAILURE() << "expected the usage";
    return "";
  }
  return std::get<HelpText>(result.value()).text;
}

// Every bad-input error (exit kExitBadInput in main.cc) is one line, starts with "hugin: ".
void ExpectOneLineError(const Error& err) {
  EXPECT_EQ(err.message.rfind("hugin: ", 0), 0u) << err.message;
  EXPECT_EQ(err.message.find('\n'), std::string::npos) << err.message;
}

TEST(ParseConfig, DefaultsWithOnlyAPort) {
  Config c = ParseOk({}, {{"HUGIN_OPEN_PORT", "8080"}});
  ASSERT_EQ(c.open_ports.size(), 1u);
  EXPECT_EQ(c.open_ports[0].first, 8080);
  EXPECT_EQ(c.executable_regex, "");
  EXPECT_EQ(c.trace_printer, TracePrinter::kDisabled);
  EXPECT_EQ(c.prometheus_port, 0);
  EXPECT_EQ(c.payload_bytes, 512u);
  EXPECT_EQ(c.ringbuf_bytes, 2u << 20);
  EXPECT_EQ(c.max_connections, 16384u);
  EXPECT_EQ(c.max_in_flight_requests, 256u);
  EXPECT_EQ(c.max_header_bytes, 16u << 10);
  EXPECT_EQ(c.max_pending_pairings, 32768u);
  EXPECT_EQ(c.service_name, "");
  EXPECT_EQ(c.discovery_interval_ms, 1000u);
  EXPECT_FALSE(c.trace_all);
  EXPECT_TRUE(c.kernel_metrics);
}

TEST(ParseConfig, NoSelectorIsAnError) {
  Error err = ParseErr({}, {});
  ExpectOneLineError(err);
  EXPECT_EQ(err.message,
            "hugin: no service selected: set HUGIN_OPEN_PORT or HUGIN_EXECUTABLE_NAME "
            "(or Beyla's OPEN_PORT / EXECUTABLE_NAME)");
  // Blank values count as unset.
  EXPECT_EQ(ParseErr({}, {{"OPEN_PORT", "  "}, {"EXECUTABLE_NAME", ""}}).message, err.message);
}

TEST(ParseConfig, TraceAllNeedsNoSelector) {
  EXPECT_TRUE(ParseOk({"--trace-all"}, {}).trace_all);
  EXPECT_TRUE(ParseOk({}, {{"HUGIN_TRACE_ALL", "true"}}).trace_all);
  ExpectOneLineError(ParseErr({}, {{"HUGIN_TRACE_ALL", "perhaps"}}));
}

TEST(ParseConfig, AllFlags) {
  Config c = ParseOk({"--open-port", "80,443,8000-8999", "--executable-name", "server$",
                      "--trace-printer", "json", "--prometheus-port", "9400", "--payload-bytes",
                      "1024", "--ringbuf-bytes", "64M", "--service-name", "shop",
                      "--discovery-interval-ms=250"},
                     {});
  ASSERT_EQ(c.open_ports.size(), 3u);
  EXPECT_EQ(c.open_ports[2].first, 8000);
  EXPECT_EQ(c.open_ports[2].last, 8999);
  EXPECT_EQ(c.executable_regex, "server$");
  EXPECT_EQ(c.trace_printer, TracePrinter::kJson);
  EXPECT_EQ(c.prometheus_port, 9400);
  EXPECT_EQ(c.payload_bytes, 1024u);
  EXPECT_EQ(c.ringbuf_bytes, 64u << 20);
  EXPECT_EQ(c.service_name, "shop");
  EXPECT_EQ(c.discovery_interval_ms, 250u);
}

TEST(ParseConfig, AllHuginEnvironmentVariables) {
  Config c = ParseOk({}, {{"HUGIN_OPEN_PORT", "9000-9001"},
                          {"HUGIN_EXECUTABLE_NAME", "node"},
                          {"HUGIN_TRACE_PRINTER", "text"},
                          {"HUGIN_PROMETHEUS_PORT", "9090"},
                          {"HUGIN_PAYLOAD_BYTES", "64"},
                          {"HUGIN_RINGBUF_BYTES", "65536"},
                          {"HUGIN_SERVICE_NAME", "api"},
                          {"HUGIN_DISCOVERY_INTERVAL_MS", "5000"}});
  ASSERT_EQ(c.open_ports.size(), 1u);
  EXPECT_EQ(c.open_ports[0].last, 9001);
  EXPECT_EQ(c.executable_regex, "node");
  EXPECT_EQ(c.trace_printer, TracePrinter::kText);
  EXPECT_EQ(c.prometheus_port, 9090);
  EXPECT_EQ(c.payload_bytes, 64u);
  EXPECT_EQ(c.ringbuf_bytes, 65536u);
  EXPECT_EQ(c.service_name, "api");
  EXPECT_EQ(c.discovery_interval_ms, 5000u);
}

// The Beyla launch post's quick-start, verbatim.
TEST(ParseConfig, BeylaQuickStartVariables) {
  Config c = ParseOk({}, {{"OPEN_PORT", "8080"}, {"PRINT_TRACES", "true"},
                          {"BEYLA_PROMETHEUS_PORT", "8999"}});
  EXPECT_TRUE(PortSelected(c, 8080));
  EXPECT_EQ(c.trace_printer, TracePrinter::kText);
  EXPECT_EQ(c.prometheus_port, 8999);

  Config by_exe = ParseOk({}, {{"EXECUTABLE_NAME", "testserver"}, {"BEYLA_PRINT_TRACES", "false"}});
  EXPECT_EQ(by_exe.executable_regex, "testserver");
  EXPECT_EQ(by_exe.trace_printer, TracePrinter::kDisabled);
}

TEST(ParseConfig, BeylaPrefixedVariables) {
  Config c = ParseOk({}, {{"BEYLA_OPEN_PORT", "443"},
                          {"BEYLA_EXECUTABLE_NAME", "java"},
                          {"BEYLA_TRACE_PRINTER", "json"},
                          {"BEYLA_SERVICE_NAME", "checkout"}});
  EXPECT_TRUE(PortSelected(c, 443));
  EXPECT_EQ(c.executable_regex, "java");
  EXPECT_EQ(c.trace_printer, TracePrinter::kJson);
  EXPECT_EQ(c.service_name, "checkout");
  EXPECT_EQ(ParseOk({}, {{"OPEN_PORT", "1"}, {"OTEL_SERVICE_NAME", "otel"}}).service_name, "otel");
}

TEST(ParseConfig, AutoTargetExeGlobBecomesAnchoredRegex) {
  Config c = ParseOk({}, {{"BEYLA_AUTO_TARGET_EXE", "*/server"}});
  EXPECT_EQ(c.executable_regex, "^.*/server$");
  ExecutableMatcher m = ExecutableMatcher::Compile(c.executable_regex).value();
  EXPECT_TRUE(m.Matches("/tmp/x/server"));
  EXPECT_FALSE(m.Matches("/tmp/x/server.old"));
  ExpectOneLineError(ParseErr({}, {{"BEYLA_AUTO_TARGET_EXE", "*/[server"}}));
}

TEST(ParseConfig, PrecedenceFlagThenHuginThenBeylaThenBare) {
  Env all = {{"HUGIN_OPEN_PORT", "2"}, {"BEYLA_OPEN_PORT", "3"}, {"OPEN_PORT", "4"}};
  EXPECT_TRUE(PortSelected(ParseOk({"--open-port", "1"}, all), 1));
  EXPECT_FALSE(PortSelected(ParseOk({"--open-port", "1"}, all), 2));
  EXPECT_TRUE(PortSelected(ParseOk({}, all), 2));
  all.erase("HUGIN_OPEN_PORT");
  EXPECT_TRUE(PortSelected(ParseOk({}, all), 3));
  all.erase("BEYLA_OPEN_PORT");
  EXPECT_TRUE(PortSelected(ParseOk({}, all), 4));

  Env exe = {{"HUGIN_EXECUTABLE_NAME", "h"}, {"BEYLA_EXECUTABLE_NAME", "b"},
             {"BEYLA_AUTO_TARGET_EXE", "g"}, {"EXECUTABLE_NAME", "e"}};
  EXPECT_EQ(ParseOk({"--executable-name", "f"}, exe).executable_regex, "f");
  EXPECT_EQ(ParseOk({}, exe).executable_regex, "h");
  exe.erase("HUGIN_EXECUTABLE_NAME");
  EXPECT_EQ(ParseOk({}, exe).executable_regex, "b");
  exe.erase("BEYLA_EXECUTABLE_NAME");
  EXPECT_EQ(ParseOk({}, exe).executable_regex, "^g$");
  exe.erase("BEYLA_AUTO_TARGET_EXE");
  EXPECT_EQ(ParseOk({}, exe).executable_regex, "e");

  Env printer = {{"OPEN_PORT", "80"}, {"HUGIN_TRACE_PRINTER", "json"},
                 {"BEYLA_TRACE_PRINTER", "disabled"}, {"PRINT_TRACES", "true"}};
  EXPECT_EQ(ParseOk({"--trace-printer", "text"}, printer).trace_printer, TracePrinter::kText);
  EXPECT_EQ(ParseOk({}, printer).trace_printer, TracePrinter::kJson);
  printer.erase("HUGIN_TRACE_PRINTER");
  EXPECT_EQ(ParseOk({}, printer).trace_printer, TracePrinter::kDisabled);
  printer.erase("BEYLA_TRACE_PRINTER");
  EXPECT_EQ(ParseOk({}, printer).trace_printer, TracePrinter::kText);

  Env prom = {{"OPEN_PORT", "80"}, {"HUGIN_PROMETHEUS_PORT", "1000"}, {"BEYLA_PROMETHEUS_PORT", "2000"}};
  EXPECT_EQ(ParseOk({"--prometheus-port", "3000"}, prom).prometheus_port, 3000);
  EXPECT_EQ(ParseOk({}, prom).prometheus_port, 1000);

  Env svc = {{"OPEN_PORT", "80"}, {"HUGIN_SERVICE_NAME", "h"}, {"BEYLA_SERVICE_NAME", "b"},
             {"OTEL_SERVICE_NAME", "o"}};
  EXPECT_EQ(ParseOk({}, svc).service_name, "h");
  svc.erase("HUGIN_SERVICE_NAME");
  EXPECT_EQ(ParseOk({}, svc).service_name, "b");
}

TEST(ParseConfig, BadPortsNameTheTokenAndTheSource) {
  Error err = ParseErr({}, {{"HUGIN_OPEN_PORT", "80,abc"}});
  ExpectOneLineError(err);
  EXPECT_NE(err.message.find("HUGIN_OPEN_PORT"), std::string::npos) << err.message;
  EXPECT_NE(err.message.find("\"abc\""), std::string::npos) << err.message;

  for (const char* bad : {"0", "65536", "70000", "9000-8000", "80,,81", "-5", "http"}) {
    Error e = ParseErr({"--open-port", bad}, {});
    ExpectOneLineError(e);
    EXPECT_NE(e.message.find("--open-port"), std::string::npos) << e.message;
  }
  ExpectOneLineError(ParseErr({}, {{"OPEN_PORT", "80\n81"}}));
}

TEST(ParseConfig, BadRegexIsAnError) {
  Error err = ParseErr({}, {{"HUGIN_EXECUTABLE_NAME", "serv(er"}});
  ExpectOneLineError(err);
  EXPECT_NE(err.message.find("not a valid regular expression"), std::string::npos) << err.message;
  ExpectOneLineError(ParseErr({"--executable-name", "[a-"}, {}));
}

TEST(ParseConfig, TracePrinterValues) {
  Env base = {{"OPEN_PORT", "80"}};
  for (const char* bad : {"counter", "json_indent", "yes"}) {
    Env env = base;
    env["BEYLA_TRACE_PRINTER"] = bad;
    Error err = ParseErr({}, env);
    ExpectOneLineError(err);
    EXPECT_NE(err.message.find("BEYLA_TRACE_PRINTER"), std::string::npos);
    EXPECT_NE(err.message.find("use text, json or disabled"), std::string::npos);
  }
  Env print = base;
  print["PRINT_TRACES"] = "sometimes";
  ExpectOneLineError(ParseErr({}, print));
  EXPECT_EQ(ParseOk({"--trace-printer", "disabled"}, {{"OPEN_PORT", "80"}, {"PRINT_TRACES", "true"}})
                .trace_printer,
            TracePrinter::kDisabled);
}

TEST(ParseConfig, KernelMetricsOnOff) {
  Env base = {{"OPEN_PORT", "80"}};
  EXPECT_FALSE(ParseOk({"--kernel-metrics", "off"}, base).kernel_metrics);
  EXPECT_TRUE(ParseOk({"--kernel-metrics=on"}, base).kernel_metrics);
  Env off = base;
  off["HUGIN_KERNEL_METRICS"] = "false";
  EXPECT_FALSE(ParseOk({}, off).kernel_metrics);
  EXPECT_TRUE(ParseOk({"--kernel-metrics", "on"}, off).kernel_metrics);  // the flag wins
  off["HUGIN_KERNEL_METRICS"] = "TRUE";
  EXPECT_TRUE(ParseOk({}, off).kernel_metrics);
}

TEST(ParseConfig, BadKernelMetricsValues) {
  Env base = {{"OPEN_PORT", "80"}};
  Error flag = ParseErr({"--kernel-metrics", "maybe"}, base);
  ExpectOneLineError(flag);
  EXPECT_EQ(flag.message, "hugin: --kernel-metrics=\"maybe\": expected on or off");
  Env env = base;
  env["HUGIN_KERNEL_METRICS"] = "sometimes";
  Error var = ParseErr({}, env);
  ExpectOneLineError(var);
  EXPECT_EQ(var.message, "hugin: HUGIN_KERNEL_METRICS=\"sometimes\": expected true or false");
  ExpectOneLineError(ParseErr({"--kernel-metrics"}, base));  // no value
}

TEST(ParseConfig, ProbeStage) {
  Env env = {{"OPEN_PORT", "80"}};
  EXPECT_EQ(ParseOk({}, env).probe_stage, ProbeStage::kFull);  // what a user runs
  env["HUGIN_PROBE_STAGE"] = "lookup";
  EXPECT_EQ(ParseOk({}, env).probe_stage, ProbeStage::kLookup);
  env["HUGIN_PROBE_STAGE"] = " heads ";
  EXPECT_EQ(ParseOk({}, env).probe_stage, ProbeStage::kHeads);
  env["HUGIN_PROBE_STAGE"] = "full";
  EXPECT_EQ(ParseOk({}, env).probe_stage, ProbeStage::kFull);
  env["HUGIN_PROBE_STAGE"] = "half";
  Error err = ParseErr({}, env);
  ExpectOneLineError(err);
  EXPECT_EQ(err.message, "hugin: HUGIN_PROBE_STAGE=\"half\": expected full, lookup or heads");
}

TEST(ParseConfig, DataPath) {
  Env env = {{"OPEN_PORT", "80"}};
  EXPECT_EQ(ParseOk({}, env).data_path, DataPath::kAuto);  // what a user runs
  env["HUGIN_DATA_PATH"] = "syscalls";
  EXPECT_EQ(ParseOk({}, env).data_path, DataPath::kSyscalls);
  env["HUGIN_DATA_PATH"] = " sockets ";
  EXPECT_EQ(ParseOk({}, env).data_path, DataPath::kSockets);
  env["HUGIN_DATA_PATH"] = "auto";
  EXPECT_EQ(ParseOk({}, env).data_path, DataPath::kAuto);
  env["HUGIN_DATA_PATH"] = "kprobes";
  Error err = ParseErr({}, env);
  ExpectOneLineError(err);
  EXPECT_EQ(err.message, "hugin: HUGIN_DATA_PATH=\"kprobes\": expected auto, syscalls or sockets");
}

TEST(ParseConfig, NumericRanges) {
  Env base = {{"OPEN_PORT", "80"}};
  auto with = [&](const char* name, const char* value) {
    Env env = base;
    env[name] = value;
    return env;
  };
  EXPECT_EQ(ParseOk({}, with("HUGIN_PROMETHEUS_PORT", "0")).prometheus_port, 0);
  EXPECT_EQ(ParseOk({}, with("HUGIN_PROMETHEUS_PORT", "65535")).prometheus_port, 65535);
  ExpectOneLineError(ParseErr({}, with("HUGIN_PROMETHEUS_PORT", "65536")));
  ExpectOneLineError(ParseErr({}, with("BEYLA_PROMETHEUS_PORT", "-1")));
  ExpectOneLineError(ParseErr({}, with("BEYLA_PROMETHEUS_PORT", "metrics")));

  EXPECT_EQ(ParseOk({}, with("HUGIN_PAYLOAD_BYTES", "4096")).payload_bytes, 4096u);
  ExpectOneLineError(ParseErr({}, with("HUGIN_PAYLOAD_BYTES", "63")));
  ExpectOneLineError(ParseErr({}, with("HUGIN_PAYLOAD_BYTES", "4097")));

  EXPECT_EQ(ParseOk({}, with("HUGIN_RINGBUF_BYTES", "64K")).ringbuf_bytes, 64u << 10);
  EXPECT_EQ(ParseOk({}, with("HUGIN_RINGBUF_BYTES", "1G")).ringbuf_bytes, 1u << 30);
  EXPECT_EQ(ParseOk({}, with("HUGIN_RINGBUF_BYTES", "4K")).ringbuf_bytes, 4u << 10);
  ExpectOneLineError(ParseErr({}, with("HUGIN_RINGBUF_BYTES", "2K")));
  ExpectOneLineError(ParseErr({}, with("HUGIN_RINGBUF_BYTES", "2G")));
  ExpectOneLineError(ParseErr({}, with("HUGIN_RINGBUF_BYTES", "100000")));  // not a power of two

  EXPECT_EQ(ParseOk({}, with("HUGIN_MAX_CONNECTIONS", "100")).max_connections, 100u);
  EXPECT_EQ(ParseOk({"--max-connections", "200"}, with("HUGIN_MAX_CONNECTIONS", "100"))
                .max_connections, 200u);
  ExpectOneLineError(ParseErr({}, with("HUGIN_MAX_CONNECTIONS", "15")));
  ExpectOneLineError(ParseErr({}, with("HUGIN_MAX_CONNECTIONS", "lots")));
  EXPECT_EQ(ParseOk({}, with("HUGIN_MAX_IN_FLIGHT_REQUESTS", "1")).max_in_flight_requests, 1u);
  ExpectOneLineError(ParseErr({}, with("HUGIN_MAX_IN_FLIGHT_REQUESTS", "0")));
  ExpectOneLineError(ParseErr({}, with("HUGIN_MAX_IN_FLIGHT_REQUESTS", "65537")));
  EXPECT_EQ(ParseOk({}, with("HUGIN_MAX_HEADER_BYTES", "8K")).max_header_bytes, 8u << 10);
  EXPECT_EQ(ParseOk({"--max-header-bytes", "300"}, {{"HUGIN_OPEN_PORT", "80"}}).max_header_bytes,
            300u);
  ExpectOneLineError(ParseErr({}, with("HUGIN_MAX_HEADER_BYTES", "255")));
  ExpectOneLineError(ParseErr({}, with("HUGIN_MAX_HEADER_BYTES", "17M")));
  EXPECT_EQ(ParseOk({}, with("HUGIN_MAX_PENDING_PAIRINGS", "16")).max_pending_pairings, 16u);
  ExpectOneLineError(ParseErr({}, with("HUGIN_MAX_PENDING_PAIRINGS", "15")));
  ExpectOneLineError(ParseErr({}, with("HUGIN_MAX_PENDING_PAIRINGS", "-3")));
  {
    Error e = ParseErr({}, with("HUGIN_MAX_HEADER_BYTES", "1"));
    EXPECT_EQ(e.message, "hugin: HUGIN_MAX_HEADER_BYTES=\"1\": max header bytes must be a size in "
                         "256..16M (e.g. 16K)");
  }

  ExpectOneLineError(ParseErr({}, with("HUGIN_DISCOVERY_INTERVAL_MS", "0")));
  ExpectOneLineError(ParseErr({}, with("HUGIN_DISCOVERY_INTERVAL_MS", "1s")));
}

TEST(ParseConfig, HelpIsExitZeroWithUsage) {
  std::string help = ParseHelp({"--help"});
  EXPECT_NE(help.find("--open-port"), std::string::npos);
  EXPECT_NE(help.find("BEYLA_AUTO_TARGET_EXE"), std::string::npos);
  EXPECT_NE(help.find("--kernel-metrics"), std::string::npos);
  EXPECT_NE(help.find("HUGIN_KERNEL_METRICS"), std::string::npos);
  EXPECT_EQ(help.find("--trace-all"), std::string::npos);  // hidden
  EXPECT_EQ(ParseHelp({"-h"}), help);
  // --help wins over bad input elsewhere on the command line, as before.
  EXPECT_EQ(ParseHelp({"--help", "--bogus"}), help);
}

TEST(ParseConfig, UnknownFlagsAndMissingValues) {
  ExpectOneLineError(ParseErr({"--bogus"}, {{"OPEN_PORT", "80"}}));
  ExpectOneLineError(ParseErr({"--open-port"}, {}));
  ExpectOneLineError(ParseErr({"stray"}, {{"OPEN_PORT", "80"}}));
}

TEST(PortSelected, RangesInclusive) {
  Config c;
  c.open_ports = {{80, 80}, {8000, 8999}};
  EXPECT_TRUE(PortSelected(c, 80));
  EXPECT_TRUE(PortSelected(c, 8000));
  EXPECT_TRUE(PortSelected(c, 8999));
  EXPECT_FALSE(PortSelected(c, 81));
  EXPECT_FALSE(PortSelected(c, 9000));
  EXPECT_FALSE(PortSelected(Config{}, 80));
}

TEST(ExecutableMatcher, SearchesThePath) {
  auto matches = [](const std::string& re, const std::string& path) {
    return ExecutableMatcher::Compile(re).value().Matches(path);
  };
  EXPECT_TRUE(matches("server", "/usr/bin/myserver"));
  EXPECT_FALSE(matches("^server", "/usr/bin/myserver"));
  EXPECT_TRUE(matches("bin/(node|python3)$", "/usr/bin/python3"));
  EXPECT_FALSE(matches("bin/(node|python3)$", "/usr/bin/python3.11"));
  auto bad = ExecutableMatcher::Compile("(");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("missing )"), std::string::npos) << bad.error().message;
}

// Found by config_fuzzer: stacked quantifiers ("ser****...") made std::regex backtrack for
// seconds on each path that did not match. RE2 (Go's syntax, as Beyla) refuses "**" outright,
// and a nested quantifier, the classic exponential case for a backtracking matcher, is matched
// in linear time: this test would not finish with std::regex (2^40 steps).
TEST(ExecutableMatcher, RepetitionCannotBacktrackForever) {
  ExpectOneLineError(ParseErr({}, {{"HUGIN_EXECUTABLE_NAME", "ser" + std::string(13, '*')}}));
  EXPECT_NE(ParseErr({}, {{"HUGIN_EXECUTABLE_NAME", "ser**"}}).message.find("bad repetition operator"),
            std::string::npos);
  auto nested = ExecutableMatcher::Compile("^/(a+)+$");
  ASSERT_TRUE(nested.ok());
  EXPECT_FALSE(nested.value().Matches("/" + std::string(40, 'a') + "!"));
  EXPECT_TRUE(nested.value().Matches("/" + std::string(40, 'a')));
}

// config_fuzzer's finding: RE2 quotes the bad pattern in its error, newline and all.
TEST(ExecutableMatcher, ABadPatternWithANewlineIsStillAOneLineError) {
  const auto e = ParseErr({"--executable-name", std::string("(uncl\n-ed\x01")}, {});
  ExpectOneLineError(e);
  EXPECT_NE(e.message.find("(uncl\\x0A-ed\\x01"), std::string::npos) << e.message;
}

TEST(ProcessEnv, ReadsTheRealEnvironment) {
  setenv("HUGIN_CONFIG_TEST_VAR", "x1", 1);
  unsetenv("HUGIN_CONFIG_TEST_UNSET");
  EnvLookup env = ProcessEnv();
  EXPECT_EQ(env("HUGIN_CONFIG_TEST_VAR"), "x1");
  EXPECT_FALSE(env("HUGIN_CONFIG_TEST_UNSET").has_value());
}

}  // namespace
}  // namespace hugin
