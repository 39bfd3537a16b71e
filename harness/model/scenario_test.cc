#include "harness/model/scenario.h"

#include <gtest/gtest.h>

namespace hugin::harness {
namespace {

const char* kValid = R"(name: quickstart
description: Go HTTP/1.1
fixture:
  language: go
load:
  tool: h2load
  connections: 4
  duration_s: 2
  rate: 200
  mix: single
  path: /hello?size=10
repetitions: 3
hugin:
  payload_bytes: 256
  ringbuf_bytes: 1048576
thresholds:
  capture_rate_min: 1.0
  silent_loss_max: 0
)";

std::string ErrorOf(const std::string& yaml) {
  try {
    ParseScenario(yaml, "s.yaml");
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(Scenario, ValidFileLoadsWithDefaults) {
  const Scenario s = ParseScenario(kValid, "s.yaml");
  EXPECT_EQ(s.name, "quickstart");
  EXPECT_EQ(s.fixture.language, "go");
  EXPECT_EQ(s.fixture.protocol, "http");
  EXPECT_FALSE(s.fixture.tls);
  EXPECT_EQ(s.load.tool, "h2load");
  ASSERT_EQ(s.load.rates.size(), 1u);
  EXPECT_EQ(s.load.rates[0], 200);
  EXPECT_EQ(s.load.path, "/hello?size=10");
  EXPECT_EQ(s.load.mix, "single");
  EXPECT_EQ(s.load.seed, 1u);
  EXPECT_EQ(s.repetitions, 3);
  EXPECT_EQ(s.arms, (std::vector<Arm>{Arm::kBaseline, Arm::kHugin}));
  EXPECT_EQ(s.hugin.ringbuf_bytes, 1048576);
  EXPECT_EQ(*s.thresholds.capture_rate_min, 1.0);
  EXPECT_EQ(*s.thresholds.silent_loss_max, 0);
  EXPECT_FALSE(s.thresholds.throughput_ratio_min);
}

TEST(Scenario, UnknownKeyNamesFileLineAndColumn) {
  const std::string yaml = std::string(kValid) + "thresholds_typo: 1\n";
  const std::string e = ErrorOf(yaml);
  EXPECT_NE(e.find("s.yaml:19:1:"), std::string::npos) << e;
  EXPECT_NE(e.find("unknown key 'thresholds_typo'"), std::string::npos) << e;
}

TEST(Scenario, NestedUnknownKeyPointsAtIt) {
  const std::string e = ErrorOf("name: x\nfixture:\n  language: go\n  lang: go\nload:\n  tool: wrk\n");
  EXPECT_NE(e.find("s.yaml:4:3:"), std::string::npos) << e;
  EXPECT_NE(e.find("in fixture"), std::string::npos) << e;
}

TEST(Scenario, WrongTypeNamesTheKey) {
  const std::string e =
      ErrorOf("name: x\nfixture:\n  language: go\nload:\n  tool: wrk\n  connections: many\n");
  EXPECT_NE(e.find("s.yaml:6:16:"), std::string::npos) << e;
  EXPECT_NE(e.find("'connections' must be an integer"), std::string::npos) << e;
}

TEST(Scenario, BadEnumValueListsTheChoices) {
  const std::string e = ErrorOf("name: x\nfixture:\n  language: cobol\nload:\n  tool: wrk\n");
  EXPECT_NE(e.find("s.yaml:3:13:"), std::string::npos) << e;
  EXPECT_NE(e.find("go, node, python, rust"), std::string::npos) << e;
}

TEST(Scenario, SyntaxErrorHasALine) {
  const std::string e = ErrorOf("name: x\nfixture: [go\n");
  EXPECT_NE(e.find("s.yaml:"), std::string::npos) << e;
  EXPECT_NE(e.find("YAML syntax error"), std::string::npos) << e;
}

TEST(Scenario, MissingRequiredKeys) {
  EXPECT_NE(ErrorOf("fixture:\n  language: go\n").find("missing required key 'name'"),
            std::string::npos);
  EXPECT_NE(ErrorOf("name: x\nfixture:\n  language: go\n").find("missing required key 'load'"),
            std::string::npos);
}

TEST(Scenario, FixedRateNeedsH2loadAndSaturationNeedsNoRate) {
  EXPECT_NE(ErrorOf("name: x\nfixture: {language: go}\nload: {tool: h2load}\n").find("give 'rate'"),
            std::string::npos);
  EXPECT_NE(ErrorOf("name: x\nfixture: {language: go}\nload: {tool: wrk, rate: 5}\n")
                .find("wrk runs at saturation"),
            std::string::npos);
}

TEST(Scenario, RangesAreChecked) {
  const std::string base = "name: x\nfixture: {language: go}\nload: {tool: wrk}\n";
  EXPECT_NE(ErrorOf(base + "hugin: {ringbuf_bytes: 5000}\n").find("power of two"), std::string::npos);
  EXPECT_NE(ErrorOf(base + "hugin: {ringbuf_bytes: 2048}\n").find("4K..1G"), std::string::npos);
  EXPECT_NE(ErrorOf(base + "hugin: {payload_bytes: 4097}\n").find("64..4096"), std::string::npos);
  EXPECT_NE(ErrorOf(base + "hugin: {payload_bytes: 10}\n").find("64..4096"), std::string::npos);
  EXPECT_NE(ErrorOf(base + "repetitions: 0\n").find("1..20"), std::string::npos);
  EXPECT_NE(ErrorOf(base + "thresholds: {capture_rate_min: 2}\n").find("[0, 1]"), std::string::npos);
}

TEST(Scenario, OtelArmOnlyForNode) {
  const std::string e =
      ErrorOf("name: x\nfixture: {language: go}\nload: {tool: wrk}\narms: [baseline, otel]\n");
  EXPECT_NE(e.find("needs fixture language 'node'"), std::string::npos) << e;
  const Scenario s = ParseScenario(
      "name: x\nfixture: {language: node}\nload: {tool: wrk}\narms: [baseline, hugin, otel]\n", "s");
  EXPECT_EQ(s.arms.size(), 3u);
}

TEST(Scenario, HookFloorArm) {
  const Scenario s = ParseScenario(
      "name: x\nfixture: {language: go}\nload: {tool: wrk}\n"
      "arms: [baseline, hook_floor, hugin_metrics]\n",
      "s");
  EXPECT_EQ(s.arms, (std::vector<Arm>{Arm::kBaseline, Arm::kHookFloor, Arm::kHuginMetrics}));
  EXPECT_EQ(ArmName(Arm::kHookFloor), std::string("hook_floor"));
  EXPECT_EQ(ParseArm("hook_floor"), Arm::kHookFloor);
  // Its letter keeps request identities of a pair's arms apart.
  for (Arm a : {Arm::kBaseline, Arm::kHugin, Arm::kOtel, Arm::kHuginMetrics})
    EXPECT_NE(ArmLetter(a), ArmLetter(Arm::kHookFloor));
}

TEST(Scenario, SyscallPathArm) {
  const Scenario s = ParseScenario(
      "name: x\nfixture: {language: go}\nload: {tool: wrk}\n"
      "arms: [baseline, syscall_path, hugin_metrics]\n",
      "s");
  EXPECT_EQ(s.arms, (std::vector<Arm>{Arm::kBaseline, Arm::kSyscallPath, Arm::kHuginMetrics}));
  EXPECT_TRUE(RunsAgent(Arm::kSyscallPath));
  EXPECT_FALSE(IsAgentArm(Arm::kSyscallPath));  // its telemetry is not checked
  // Every arm's letter differs from every other's.
  const Arm all[] = {Arm::kBaseline, Arm::kHugin, Arm::kOtel, Arm::kHuginMetrics,
                     Arm::kHookFloor, Arm::kStageLookup, Arm::kStageHeads, Arm::kSyscallPath};
  for (Arm a : all)
    for (Arm b : all)
      if (a != b) EXPECT_NE(ArmLetter(a), ArmLetter(b)) << ArmName(a) << " " << ArmName(b);
}

TEST(Scenario, MetricsOnlyArmAndProfile) {
  const Scenario s = ParseScenario(
      "name: x\nfixture: {language: go}\nload: {tool: wrk}\n"
      "arms: [baseline, hugin_metrics, hugin]\nprofile: {frequency_hz: 499}\n"
      "thresholds: {prometheus_count_error_max: 0.0, capture_rate_min: 1.0}\n",
      "s");
  EXPECT_EQ(s.arms, (std::vector<Arm>{Arm::kBaseline, Arm::kHuginMetrics, Arm::kHugin}));
  EXPECT_EQ(s.profile.frequency_hz, 499);
  EXPECT_EQ(ParseScenario(kValid, "s").profile.frequency_hz, 999);  // on by default
  // Without the hugin arm there are no spans: span thresholds are refused, Prometheus is not.
  const std::string e = ErrorOf(
      "name: x\nfixture: {language: go}\nload: {tool: wrk}\narms: [baseline, hugin_metrics]\n"
      "thresholds: {prometheus_count_error_max: 0.0, capture_rate_min: 1.0}\n");
  EXPECT_NE(e.find("'capture_rate_min' needs spans"), std::string::npos) << e;
  EXPECT_NO_THROW(ParseScenario(
      "name: x\nfixture: {language: go}\nload: {tool: wrk}\narms: [baseline, hugin_metrics]\n"
      "thresholds: {prometheus_count_error_max: 0.0, throughput_ratio_min: 0.5}\n",
      "s"));
  EXPECT_NE(ErrorOf("name: x\nfixture: {language: go}\nload: {tool: wrk}\nprofile: {frequency_hz: -1}\n")
                .find("0..10000"),
            std::string::npos);
  EXPECT_NE(ErrorOf("name: x\nfixture: {language: go}\nload: {tool: wrk}\nprofile: {hz: 9}\n")
                .find("hz"),
            std::string::npos);
}

TEST(Scenario, SweepAndExpectedUnsupported) {
  const Scenario s = ParseScenario(
      "name: g\nfixture: {language: go, protocol: grpc}\n"
      "load: {tool: h2load, rates: [100, 200]}\nexpected_unsupported: HTTP/1.x only\n",
      "s");
  EXPECT_EQ(s.load.rates, (std::vector<int>{100, 200}));
  EXPECT_EQ(s.expected_unsupported, "HTTP/1.x only");
  EXPECT_NE(ErrorOf("name: g\nfixture: {language: go, protocol: grpc}\nload: {tool: wrk}\n")
                .find("gRPC load needs tool 'h2load'"),
            std::string::npos);
}

TEST(Scenario, WireDurationThresholdOnFixedRatePlainHttpOnly) {
  const Scenario s = ParseScenario(
      std::string(kValid) + "  wire_duration_within_1ms_or_5pct_min: 0.99\n", "s.yaml");
  EXPECT_DOUBLE_EQ(*s.thresholds.wire_duration_within_1ms_or_5pct_min, 0.99);
  EXPECT_TRUE(WireOracleApplies(s));
  // Out of range: the value's own line and column (the appended line is line 19).
  std::string e = ErrorOf(std::string(kValid) + "  wire_duration_within_1ms_or_5pct_min: 1.5\n");
  EXPECT_NE(e.find("s.yaml:19:41:"), std::string::npos) << e;
  EXPECT_NE(e.find("must be in [0, 1]"), std::string::npos) << e;
  e = ErrorOf(std::string(kValid) + "  wire_duration_within_1ms_or_5pct_min: often\n");
  EXPECT_NE(e.find("s.yaml:19:41:"), std::string::npos) << e;
  EXPECT_NE(e.find("must be a number"), std::string::npos) << e;
  // Saturation (wrk), TLS and gRPC have no wire oracle: the threshold is refused where it is.
  e = ErrorOf("name: x\nfixture: {language: go}\nload: {tool: wrk}\n"
              "thresholds:\n  wire_duration_within_1ms_or_5pct_min: 0.99\n");
  EXPECT_NE(e.find("s.yaml:5:41:"), std::string::npos) << e;
  EXPECT_NE(e.find("needs the wire oracle"), std::string::npos) << e;
  e = ErrorOf("name: x\nfixture: {language: go, tls: true}\nload: {tool: h2load, rate: 5}\n"
              "thresholds: {wire_duration_within_1ms_or_5pct_min: 0.99}\n");
  EXPECT_NE(e.find("needs the wire oracle"), std::string::npos) << e;
  EXPECT_FALSE(WireOracleApplies(ParseScenario(
      "name: g\nfixture: {language: go, protocol: grpc}\nload: {tool: h2load, rate: 5}\n", "s")));
}

TEST(Scenario, MixIsTheDefaultAndItsKeysAreChecked) {
  const std::string wrk = "name: x\nfixture: {language: go}\nload:\n  tool: wrk\n";
  const Scenario s = ParseScenario(wrk, "s");
  EXPECT_EQ(s.load.mix, "default");
  EXPECT_EQ(ParseScenario(wrk + "  seed: 7\n", "s").load.seed, 7u);
  std::string e = ErrorOf(wrk + "  mix: mixed\n");
  EXPECT_NE(e.find("s.yaml:5:8:"), std::string::npos) << e;
  EXPECT_NE(e.find("default, single"), std::string::npos) << e;
  e = ErrorOf(wrk + "  seed: -1\n");
  EXPECT_NE(e.find("s.yaml:5:9:"), std::string::npos) << e;
  // Keys the default mix would ignore are errors, pointing at the key's value.
  e = ErrorOf(wrk + "  path: /x\n");
  EXPECT_NE(e.find("s.yaml:5:9:"), std::string::npos) << e;
  EXPECT_NE(e.find("mix: single"), std::string::npos) << e;
  e = ErrorOf(wrk + "  method: PUT\n");
  EXPECT_NE(e.find("s.yaml:5:11:"), std::string::npos) << e;
  EXPECT_EQ(ParseScenario(wrk + "  mix: single\n  method: PUT\n  body_bytes: 3\n  path: /x\n", "s")
                .load.method,
            "PUT");
  // h2load sends one method and body per run: allowed with the mix.
  const Scenario h = ParseScenario(
      "name: x\nfixture: {language: go}\nload: {tool: h2load, rate: 5, method: POST, body_bytes: 9}\n",
      "s");
  EXPECT_EQ(h.load.method, "POST");
  EXPECT_NE(ErrorOf(wrk + "  mix: single\n  method: get\n").find("upper-case"), std::string::npos);
  e = ErrorOf("name: g\nfixture: {language: go, protocol: grpc}\nload: {tool: h2load, rate: 5, mix: single}\n");
  EXPECT_NE(e.find("gRPC sends its Echo/Unary call"), std::string::npos) << e;
}

TEST(Scenario, MissingFileIsAClearError) {
  try {
    LoadScenarioFile("/nonexistent/x.yaml");
    FAIL() << "no error";
  } catch (const ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot open"), std::string::npos);
  }
}

TEST(Scenario, DefaultsForStatisticsAndWarmup) {
  const Scenario s = ParseScenario(
      "name: x\nfixture: {language: go}\nload: {tool: wrk}\n", "s.yaml");
  EXPECT_EQ(s.repetitions, 5);
  EXPECT_EQ(s.load.warmup_s, 2);
  EXPECT_TRUE(s.placement.load_cpus.empty());
  EXPECT_TRUE(s.hugin.fault.empty());
}

TEST(Scenario, PlacementAndSelftestKeys) {
  const Scenario s = ParseScenario(
      "name: x\nfixture: {language: go}\nload: {tool: wrk, warmup_s: 0}\n"
      "placement: {load_cpus: [1], service_cpus: [0]}\n"
      "hugin: {fault: 'drop_span:500'}\n"
      "thresholds: {detects_injected_faults: true, unattributed_drops_max: 0,\n"
      "             added_cpu_us_per_request_max: 3.0}\n",
      "s.yaml");
  EXPECT_EQ(s.placement.load_cpus, std::vector<int>{1});
  EXPECT_EQ(s.placement.service_cpus, std::vector<int>{0});
  EXPECT_EQ(s.hugin.fault, "drop_span:500");
  EXPECT_TRUE(s.thresholds.detects_injected_faults);
  EXPECT_EQ(*s.thresholds.unattributed_drops_max, 0);
  EXPECT_EQ(*s.thresholds.added_cpu_us_per_request_max, 3.0);
  EXPECT_EQ(s.load.warmup_s, 0);
  EXPECT_NE(ErrorOf("name: x\nfixture: {language: go}\nload: {tool: wrk}\n"
                    "hugin: {fault: 'drop_span:5'}\nthresholds: {detects_injected_faults: true}\n")
                .find("needs load.warmup_s: 0"),
            std::string::npos);
}

TEST(Scenario, PlacementAndFaultMistakesAreErrors) {
  const std::string base = "name: x\nfixture: {language: go}\nload: {tool: wrk}\n";
  EXPECT_NE(ErrorOf(base + "placement: {load_cpus: [0], service_cpus: [0]}\n")
                .find("CPU 0 is in both lists"),
            std::string::npos);
  EXPECT_NE(ErrorOf(base + "placement: {load_cpus: [1]}\n").find("needs both"), std::string::npos);
  EXPECT_NE(ErrorOf(base + "placement: {load_cpus: [], service_cpus: [0]}\n")
                .find("non-empty list"),
            std::string::npos);
  EXPECT_NE(ErrorOf(base + "thresholds: {detects_injected_faults: true}\n")
                .find("set hugin.fault"),
            std::string::npos);
  EXPECT_NE(ErrorOf("name: x\nfixture: {language: go}\nload: {tool: h2load, rate: 10, warmup_s: 1}\n")
                .find("'warmup_s' must be 0 or >= 2 with h2load"),
            std::string::npos);
  EXPECT_NE(ErrorOf("name: x\nfixture: {language: go}\nload: {tool: h2load, rate: 10, duration_s: 1}\n")
                .find("'duration_s' must be >= 2 with h2load"),
            std::string::npos);
  EXPECT_NE(ErrorOf("name: x\nfixture: {language: go}\nload: {tool: wrk, warmup_s: -1}\n")
                .find("'warmup_s' must be in [0, 60]"),
            std::string::npos);
}

}  // namespace hugin::harness
