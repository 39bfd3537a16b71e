#include "harness/model/scenario.h"

#include <algorithm>

#include <yaml-cpp/yaml.h>

#include "core/config/capture_limits.h"

#include <fstream>
#include <set>
#include <sstream>

namespace hugin::harness {
namespace {

// Every error names the file and the 1-based line:column of the offending node.
class Reader {
 public:
  explicit Reader(std::string source) : source_(std::move(source)) {}

  [[noreturn]] void Fail(const YAML::Node& at, const std::string& message) const {
    std::ostringstream out;
    out << source_;
    const YAML::Mark mark = at.Mark();
    if (mark.line >= 0) out << ":" << mark.line + 1 << ":" << mark.column + 1;
    out << ": " << message;
    throw ScenarioError(out.str());
  }

  void RequireMap(const YAML::Node& node, const std::string& what) const {
    if (!node.IsMap()) Fail(node, what + " must be a mapping");
  }

  void RejectUnknownKeys(const YAML::Node& map, const std::set<std::string>& known,
                         const std::string& where) const {
    for (const auto& item : map) {
      const std::string key = item.first.as<std::string>();
      if (!known.count(key)) {
        std::string list;
        for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
        Fail(item.first, "unknown key '" + key + "' in " + where + " (known: " + list + ")");
      }
    }
  }

  template <typename T>
  T Scalar(const YAML::Node& node, const std::string& key, const char* type_name) const {
    if (!node.IsScalar()) Fail(node, "'" + key + "' must be " + type_name);
    try {
      return node.as<T>();
    } catch (const YAML::Exception&) {
      Fail(node, "'" + key + "' must be " + type_name + ", got '" + node.Scalar() + "'");
    }
  }

  template <typename T>
  void Optional(const YAML::Node& map, const std::string& key, T& out, const char* type_name) const {
    if (const YAML::Node n = map[key]) out = Scalar<T>(n, key, type_name);
  }

  template <typename T>
  void OptionalOpt(const YAML::Node& map, const std::string& key, std::optional<T>& out,
                   const char* type_name) const {
    if (const YAML::Node n = map[key]) out = Scalar<T>(n, key, type_name);
  }

  std::string RequiredString(const YAML::Node& map, const std::string& key,
                             const std::string& where) const {
    const YAML::Node n = map[key];
    if (!n) Fail(map, "missing required key '" + key + "' in " + where);
    return Scalar<std::string>(n, key, "a string");
  }

  void OneOf(const YAML::Node& at, const std::string& key, const std::string& value,
             const std::set<std::string>& allowed) const {
    if (allowed.count(value)) return;
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
    Fail(at, "'" + key + "' is '" + value + "', must be one of: " + list);
  }

 private:
  std::string source_;
};

FixtureSpec ReadFixture(const Reader& r, const YAML::Node& n) {
  r.RequireMap(n, "'fixture'");
  r.RejectUnknownKeys(n, {"language", "protocol", "tls"}, "fixture");
  FixtureSpec f;
  f.language = r.RequiredString(n, "language", "fixture");
  r.OneOf(n["language"], "language", f.language, {"go", "node", "python", "rust"});
  r.Optional(n, "protocol", f.protocol, "a string");
  if (n["protocol"]) r.OneOf(n["protocol"], "protocol", f.protocol, {"http", "grpc"});
  r.Optional(n, "tls", f.tls, "a boolean");
  return f;
}

LoadSpec ReadLoad(const Reader& r, const YAML::Node& n) {
  r.RequireMap(n, "'load'");
  r.RejectUnknownKeys(n, {"tool", "connections", "threads", "duration_s", "rate", "rates", "mix",
                          "seed", "method", "path", "body_bytes", "warmup_s"},
                      "load");
  LoadSpec l;
  l.tool = r.RequiredString(n, "tool", "load");
  r.OneOf(n["tool"], "tool", l.tool, {"wrk", "h2load"});
  r.Optional(n, "connections", l.connections, "an integer");
  r.Optional(n, "threads", l.threads, "an integer");
  r.Optional(n, "duration_s", l.duration_s, "a number");
  r.Optional(n, "method", l.method, "a string");
  r.Optional(n, "path", l.path, "a string");
  r.Optional(n, "body_bytes", l.body_bytes, "an integer");
  r.Optional(n, "warmup_s", l.warmup_s, "a number");
  if (l.warmup_s < 0 || l.warmup_s > 60) r.Fail(n["warmup_s"], "'warmup_s' must be in [0, 60]");
  r.Optional(n, "mix", l.mix, "a string");
  if (n["mix"]) r.OneOf(n["mix"], "mix", l.mix, {"default", "single"});
  if (const YAML::Node seed = n["seed"]) {
    const long long v = r.Scalar<long long>(seed, "seed", "an integer");
    if (v < 0) r.Fail(seed, "'seed' must be >= 0");
    l.seed = static_cast<uint64_t>(v);
  }
  // h2load 1.52 can hang after "Stopping all clients" in a 1 s fixed-rate run (seen against
  // the Python fixture at 1500 req/s; 2 s runs finish): no h2load run shorter than 2 s.
  if (l.tool == "h2load" && l.warmup_s > 0 && l.warmup_s < 2)
    r.Fail(n["warmup_s"], "'warmup_s' must be 0 or >= 2 with h2load (shorter h2load runs can hang)");
  if (l.tool == "h2load" && l.duration_s < 2)
    r.Fail(n["duration_s"], "'duration_s' must be >= 2 with h2load (shorter h2load runs can hang)");
  if (n["rate"] && n["rates"]) r.Fail(n["rates"], "give either 'rate' or 'rates', not both");
  if (const YAML::Node rate = n["rate"]) l.rates.push_back(r.Scalar<int>(rate, "rate", "an integer"));
  if (const YAML::Node rates = n["rates"]) {
    if (!rates.IsSequence() || rates.size() == 0)
      r.Fail(rates, "'rates' must be a non-empty list of integers");
    for (const auto& v : rates) l.rates.push_back(r.Scalar<int>(v, "rates", "an integer"));
  }
  if (l.connections < 1 || l.connections > 1000)
    r.Fail(n["connections"], "'connections' must be in 1..1000");
  if (l.threads < 1 || l.threads > l.connections)
    r.Fail(n["threads"] ? n["threads"] : n, "'threads' must be in 1..connections");
  if (l.duration_s <= 0 || l.duration_s > 600)
    r.Fail(n["duration_s"], "'duration_s' must be in (0, 600]");
  if (l.body_bytes < 0) r.Fail(n["body_bytes"], "'body_bytes' must be >= 0");
  if (l.path.empty() || l.path[0] != '/') r.Fail(n["path"], "'path' must start with '/'");
  if (l.method.empty() || l.method.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") != std::string::npos)
    r.Fail(n["method"], "'method' must be an upper-case HTTP method, e.g. POST");
  // The default mix draws each request's path (and, with wrk, its method and body): a key that
  // would be ignored is an error rather than a silent no-op.
  if (l.mix == "default") {
    if (n["path"])
      r.Fail(n["path"], "'path' is the request of 'mix: single'; the default mix draws its own paths");
    if (l.tool == "wrk")
      for (const char* key : {"method", "body_bytes"})
        if (n[key])
          r.Fail(n[key], std::string("'") + key +
                             "' is for 'mix: single' or h2load; with wrk the default mix draws "
                             "each request's method and body");
  }
  for (int rate : l.rates)
    if (rate <= 0) r.Fail(n["rate"] ? n["rate"] : n["rates"], "rates must be positive");
  if (l.tool == "h2load" && l.rates.empty())
    r.Fail(n, "h2load is the fixed-rate tool: give 'rate' (requests/s) or 'rates'");
  if (l.tool == "wrk" && !l.rates.empty())
    r.Fail(n["rate"] ? n["rate"] : n["rates"], "wrk runs at saturation: remove 'rate' or use h2load");
  return l;
}

HuginSpec ReadHugin(const Reader& r, const YAML::Node& n) {
  r.RequireMap(n, "'hugin'");
  r.RejectUnknownKeys(n, {"probes", "payload_bytes", "ringbuf_bytes", "fault"}, "hugin");
  HuginSpec h;
  if (const YAML::Node probes = n["probes"]) {
    if (!probes.IsSequence()) r.Fail(probes, "'probes' must be a list");
    h.probes.clear();
    for (const auto& p : probes) {
      const auto name = r.Scalar<std::string>(p, "probes", "a string");
      r.OneOf(p, "probes", name, {"http"});
      h.probes.push_back(name);
    }
  }
  r.Optional(n, "payload_bytes", h.payload_bytes, "an integer");
  r.Optional(n, "ringbuf_bytes", h.ringbuf_bytes, "an integer");
  r.Optional(n, "fault", h.fault, "a string");
  // The agent's own bounds, so a scenario the harness accepts is one the agent starts with.
  if (h.payload_bytes < 0 || !PayloadBytesValid(static_cast<uint64_t>(h.payload_bytes)))
    r.Fail(n["payload_bytes"], std::string("'payload_bytes': ") + kPayloadBytesRule);
  if (h.ringbuf_bytes < 0 || !RingbufBytesValid(static_cast<uint64_t>(h.ringbuf_bytes)))
    r.Fail(n["ringbuf_bytes"], std::string("'ringbuf_bytes': ") + kRingbufBytesRule);
  return h;
}

std::vector<int> ReadCpuList(const Reader& r, const YAML::Node& n, const std::string& key) {
  if (!n.IsSequence() || n.size() == 0) r.Fail(n, "'" + key + "' must be a non-empty list of CPU numbers");
  std::vector<int> cpus;
  for (const auto& v : n) {
    const int c = r.Scalar<int>(v, key, "a CPU number");
    if (c < 0 || c > 1023) r.Fail(v, "'" + key + "' CPU numbers must be in 0..1023");
    cpus.push_back(c);
  }
  return cpus;
}

Placement ReadPlacement(const Reader& r, const YAML::Node& n) {
  r.RequireMap(n, "'placement'");
  r.RejectUnknownKeys(n, {"load_cpus", "service_cpus"}, "placement");
  Placement p;
  if (!n["load_cpus"] || !n["service_cpus"])
    r.Fail(n, "'placement' needs both 'load_cpus' and 'service_cpus'");
  p.load_cpus = ReadCpuList(r, n["load_cpus"], "load_cpus");
  p.service_cpus = ReadCpuList(r, n["service_cpus"], "service_cpus");
  for (int c : p.load_cpus)
    for (int d : p.service_cpus)
      if (c == d) r.Fail(n, "'placement': CPU " + std::to_string(c) + " is in both lists");
  return p;
}

Thresholds ReadThresholds(const Reader& r, const YAML::Node& n) {
  r.RequireMap(n, "'thresholds'");
  r.RejectUnknownKeys(n, {"capture_rate_min", "field_match_rate_min", "silent_loss_max",
                          "throughput_ratio_min", "p99_latency_ratio_max",
                          "prometheus_count_error_max", "expect_kernel_drops",
                          "unattributed_drops_max", "added_cpu_us_per_request_max",
                          "detects_injected_faults", "wire_duration_within_1ms_or_5pct_min"},
                      "thresholds");
  Thresholds t;
  r.OptionalOpt(n, "capture_rate_min", t.capture_rate_min, "a number");
  r.OptionalOpt(n, "field_match_rate_min", t.field_match_rate_min, "a number");
  r.OptionalOpt(n, "silent_loss_max", t.silent_loss_max, "an integer");
  r.OptionalOpt(n, "throughput_ratio_min", t.throughput_ratio_min, "a number");
  r.OptionalOpt(n, "p99_latency_ratio_max", t.p99_latency_ratio_max, "a number");
  r.OptionalOpt(n, "prometheus_count_error_max", t.prometheus_count_error_max, "a number");
  r.OptionalOpt(n, "wire_duration_within_1ms_or_5pct_min", t.wire_duration_within_1ms_or_5pct_min,
                "a number");
  r.Optional(n, "expect_kernel_drops", t.expect_kernel_drops, "a boolean");
  r.OptionalOpt(n, "unattributed_drops_max", t.unattributed_drops_max, "an integer");
  r.OptionalOpt(n, "added_cpu_us_per_request_max", t.added_cpu_us_per_request_max, "a number");
  r.Optional(n, "detects_injected_faults", t.detects_injected_faults, "a boolean");
  for (const char* key : {"capture_rate_min", "field_match_rate_min",
                          "wire_duration_within_1ms_or_5pct_min"}) {
    if (n[key]) {
      const double v = n[key].as<double>();
      if (v < 0 || v > 1) r.Fail(n[key], std::string("'") + key + "' must be in [0, 1]");
    }
  }
  return t;
}

}  // namespace

Scenario ParseScenario(const std::string& yaml_text, const std::string& source_name) {
  const Reader r(source_name);
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::ParserException& e) {
    throw ScenarioError(source_name + ":" + std::to_string(e.mark.line + 1) + ":" +
                        std::to_string(e.mark.column + 1) + ": YAML syntax error: " + e.msg);
  }
  if (!root.IsMap()) throw ScenarioError(source_name + ": a scenario must be a YAML mapping");
  r.RejectUnknownKeys(root, {"name", "description", "fixture", "load", "repetitions", "arms",
                             "hugin", "placement", "thresholds", "expected_unsupported", "profile"},
                      "the scenario");
  Scenario s;
  s.file = source_name;
  s.name = r.RequiredString(root, "name", "the scenario");
  for (char c : s.name)
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'))
      r.Fail(root["name"], "'name' may only hold letters, digits, '_' and '-'");
  r.Optional(root, "description", s.description, "a string");
  r.Optional(root, "expected_unsupported", s.expected_unsupported, "a string");
  if (!root["fixture"]) r.Fail(root, "missing required key 'fixture'");
  s.fixture = ReadFixture(r, root["fixture"]);
  if (!root["load"]) r.Fail(root, "missing required key 'load'");
  s.load = ReadLoad(r, root["load"]);
  r.Optional(root, "repetitions", s.repetitions, "an integer");
  if (s.repetitions < 1 || s.repetitions > 20)
    r.Fail(root["repetitions"], "'repetitions' must be in 1..20");
  if (const YAML::Node arms = root["arms"]) {
    if (!arms.IsSequence() || arms.size() == 0) r.Fail(arms, "'arms' must be a non-empty list");
    s.arms.clear();
    std::set<std::string> seen;
    for (const auto& a : arms) {
      const auto arm = r.Scalar<std::string>(a, "arms", "a string");
      r.OneOf(a, "arms", arm,
              {"baseline", "hugin", "hugin_metrics", "otel", "hook_floor", "stage_lookup",
               "stage_heads", "syscall_path"});
      if (!seen.insert(arm).second) r.Fail(a, "arm '" + arm + "' is listed twice");
      s.arms.push_back(*ParseArm(arm));
    }
    if (seen.count("otel") && s.fixture.language != "node")
      r.Fail(arms, "the 'otel' arm (OpenTelemetry Node SDK) needs fixture language 'node'");
  }
  if (root["hugin"]) s.hugin = ReadHugin(r, root["hugin"]);
  if (const YAML::Node p = root["profile"]) {
    r.RequireMap(p, "'profile'");
    r.RejectUnknownKeys(p, {"frequency_hz"}, "profile");
    r.Optional(p, "frequency_hz", s.profile.frequency_hz, "an integer");
    if (s.profile.frequency_hz < 0 || s.profile.frequency_hz > 10000)
      r.Fail(p["frequency_hz"], "'frequency_hz' must be in 0..10000 (0: no profile runs)");
  }
  if (root["placement"]) s.placement = ReadPlacement(r, root["placement"]);
  if (root["thresholds"]) s.thresholds = ReadThresholds(r, root["thresholds"]);
  if (s.thresholds.detects_injected_faults && s.hugin.fault.empty())
    r.Fail(root["thresholds"]["detects_injected_faults"],
           "'detects_injected_faults' needs faults to detect: set hugin.fault");
  if (s.thresholds.detects_injected_faults && s.load.warmup_s != 0)
    r.Fail(root["thresholds"]["detects_injected_faults"],
           "'detects_injected_faults' needs load.warmup_s: 0 (the agent counts what it planted "
           "over its whole life, warm-up included)");
  // Span thresholds need spans: the hugin arm (hugin_metrics prints none; its capture is read
  // from Prometheus, prometheus_count_error_max).
  if (std::find(s.arms.begin(), s.arms.end(), Arm::kHugin) == s.arms.end())
    for (const char* key : {"capture_rate_min", "field_match_rate_min", "silent_loss_max",
                            "unattributed_drops_max", "wire_duration_within_1ms_or_5pct_min",
                            "detects_injected_faults", "expect_kernel_drops"})
      if (root["thresholds"] && root["thresholds"][key])
        r.Fail(root["thresholds"][key], std::string("'") + key +
                                            "' needs spans: add the 'hugin' arm (hugin_metrics "
                                            "prints none)");
  if (s.fixture.protocol == "grpc" && s.load.tool != "h2load")
    r.Fail(root["load"]["tool"], "gRPC load needs tool 'h2load'");
  if (s.thresholds.wire_duration_within_1ms_or_5pct_min && !WireOracleApplies(s))
    r.Fail(root["thresholds"]["wire_duration_within_1ms_or_5pct_min"],
           "'wire_duration_within_1ms_or_5pct_min' needs the wire oracle: a fixed-rate plain-HTTP "
           "scenario (tool h2load with 'rate' or 'rates', protocol http, tls false)");
  for (const char* key : {"mix", "seed"})
    if (s.fixture.protocol == "grpc" && root["load"][key])
      r.Fail(root["load"][key], std::string("'") + key +
                                    "' is for HTTP/1.1 load; gRPC sends its Echo/Unary call");
  return s;
}

bool WireOracleApplies(const Scenario& s) {
  return s.load.tool == "h2load" && !s.load.rates.empty() && s.fixture.protocol == "http" &&
         !s.fixture.tls;
}

Scenario LoadScenarioFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ScenarioError(path + ": cannot open scenario file");
  std::stringstream text;
  text << in.rdbuf();
  return ParseScenario(text.str(), path);
}

}  // namespace hugin::harness
