#include "harness/run/run_arm.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <thread>

#include "harness/analyze/cost_groups.h"
#include "harness/analyze/loss.h"
#include "harness/analyze/match.h"
#include "harness/analyze/timing.h"
#include "harness/collect/agent_log.h"
#include "harness/collect/measure.h"
#include "harness/collect/perf_record.h"
#include "harness/collect/perf_script.h"
#include "harness/collect/prom_text.h"
#include "harness/collect/wire_capture.h"
#include "harness/collect/wire_decode.h"
#include "harness/model/loss_reports.h"
#include "harness/model/records.h"
#include "harness/run/load.h"
#include "harness/util/fixed_point.h"
#include "harness/util/process.h"
#include "harness/run/prometheus.h"

namespace hugin::harness {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

double UnixNow() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::optional<AgentCounters> ReadCounters(int port) {
  const auto text = FetchMetrics(port);
  if (!text) return std::nullopt;
  return CountersFromExposition(*text);
}

double ServerCountForPort(int metrics_port, int server_port) {
  const auto text = FetchMetrics(metrics_port);
  if (!text) return -1;
  return SumSamples(ParseExposition(*text, nullptr), "http_server_request_duration_seconds_count",
                    {{"server_port", std::to_string(server_port)}});
}

// Waits until the agent has seen the fixture (hugin_watched_pids > 0).
bool WaitWatched(int metrics_port, milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (const auto text = FetchMetrics(metrics_port)) {
      if (SumSamples(ParseExposition(*text, nullptr), "hugin_watched_pids") > 0) return true;
    }
    std::this_thread::sleep_for(milliseconds(100));
  }
  return false;
}

// After the load the agent may still be draining its ring buffer: wait until its span counter
// holds still for a few polls.
void WaitSpansSettled(int metrics_port, milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  double last = -1;
  int still = 0;
  while (std::chrono::steady_clock::now() < deadline && still < 3) {
    const auto c = ReadCounters(metrics_port);
    const double now = c ? c->spans : -1;
    still = (now == last) ? still + 1 : 0;
    last = now;
    std::this_thread::sleep_for(milliseconds(150));
  }
}

void QueryPrometheus(const RunContext& ctx, int server_port, double load_end_unix, RunResult& r) {
  const std::string selector =
      "http_server_request_duration_seconds_count{server_port=\"" + std::to_string(server_port) + "\"}";
  const double expected = ServerCountForPort(ctx.agent_metrics_port, server_port);
  // Wait for a scrape that saw the final count (scrape interval 1 s).
  const auto deadline = std::chrono::steady_clock::now() + seconds(6);
  while (std::chrono::steady_clock::now() < deadline) {
    std::string error;
    r.prometheus_count = ctx.prometheus->Query("sum(" + selector + ")", error);
    if (!r.prometheus_count) r.prometheus_error = error;
    if (r.prometheus_count && *r.prometheus_count == expected) break;
    if (expected <= 0 && !r.prometheus_count) {  // the agent has no series: nothing to store
      r.prometheus_count = 0;
      r.prometheus_error.clear();
      break;
    }
    std::this_thread::sleep_for(milliseconds(250));
  }
  // rate() over the load window, evaluated at its end; compared with served / duration.
  const int window_s = std::max(1, static_cast<int>(ctx.scenario->load.duration_s + 0.5));
  std::string error;
  r.prometheus_rate = ctx.prometheus->Query(
      "sum(rate(" + selector + "[" + std::to_string(window_s) + "s]))", error, load_end_unix);
  if (!r.prometheus_rate && r.prometheus_error.empty()) r.prometheus_error = error;
}

// The low end of the kernel's ephemeral port range (ip_local_port_range), or 32768.
int EphemeralLow() {
  std::ifstream f("/proc/sys/net/ipv4/ip_local_port_range");
  int low = 0;
  return f >> low && low > 0 ? low : 32768;
}

// Whether `port` can be bound on all interfaces now (the fixtures bind 0.0.0.0).
bool Bindable(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_ANY);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

int64_t MonotonicNowNs() {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);
  return int64_t(t.tv_sec) * 1000000000 + t.tv_nsec;
}

AgentCounters Subtract(const AgentCounters& a, const AgentCounters& b) {
  AgentCounters d;
  d.events_received = a.events_received - b.events_received;
  d.spans = a.spans - b.spans;
  d.parse_errors = a.parse_errors - b.parse_errors;
  d.stream_gaps = a.stream_gaps - b.stream_gaps;
  d.payload_truncated = a.payload_truncated - b.payload_truncated;
  d.kernel_exchanges = a.kernel_exchanges - b.kernel_exchanges;
  for (const auto& [reason, v] : a.kernel_drops_by_reason) {
    auto it = b.kernel_drops_by_reason.find(reason);
    d.kernel_drops_by_reason[reason] = v - (it == b.kernel_drops_by_reason.end() ? 0 : it->second);
  }
  return d;
}

// A process's perf profile of this run, grouped by `table`; the error in place when perf failed.
Profile FinishProfile(std::optional<PerfRecorder>& recorder, const std::string& start_error,
                      const GroupTable& table, const std::string& process, double cpu_us) {
  Profile p;
  p.process = process;
  p.cpu_us = cpu_us;
  if (!recorder) {
    p.error = start_error;
    return p;
  }
  std::string error;
  const auto text = recorder->StopAndScript(error);
  recorder.reset();
  if (!text) {
    p.error = error;
    return p;
  }
  Profile grouped = GroupClassifier(table).Aggregate(ParsePerfScript(*text), process);
  grouped.cpu_us = cpu_us;
  if (!grouped.samples)
    grouped.error = text->empty() ? "perf recorded no sample of the " + process
                                  : "perf script printed " + std::to_string(text->size()) +
                                        " bytes but no sample the parser could read";
  return grouped;
}

}  // namespace

void CheckLoadTool(const LoadResult& load, uint64_t failing_statuses, int connections,
                   const std::string& dir, std::string& error) {
  if (!error.empty()) return;
  if (load.errors > 0) {
    error = "the load tool reported " + FixedPoint(load.errors, 0) +
            " errors (connect/read/write/timeout or failed requests); see " + dir + "/load.out";
    return;
  }
  // The tool counts responses outside 2xx/3xx; the fixture logged the statuses it sent. More on
  // the tool's side means statuses nobody asked for. Fewer is allowed by at most one in-flight
  // request per connection: answers the fixture logged as the tool stopped counting.
  const double sent = double(failing_statuses);
  if (load.non_2xx > sent || sent - load.non_2xx > connections) {
    error = "unexpected statuses: the load tool saw " + FixedPoint(load.non_2xx, 0) +
            " responses outside 2xx/3xx, the fixture sent " + std::to_string(failing_statuses) +
            "; see " + dir + "/load.out";
  }
}

int FreeLoopbackPort(const std::vector<int>& avoid) {
  // Below the ephemeral range: a port from bind(0) lies in it, where a client connection of a
  // load tool or scrape running meanwhile can take it before the fixture binds it (it did in
  // CI for tests/common/procs.py, which picks ports the same way as this now). Random, so
  // harnesses running side by side rarely try the same one.
  constexpr int kLow = 10000;
  const int high = EphemeralLow();
  if (high - kLow < 1000) throw std::runtime_error("the ephemeral port range leaves no room below it");
  return FreePortIn(kLow, high, avoid);
}

int FreePortIn(int low, int high, const std::vector<int>& avoid) {
  static std::mt19937 rng(std::random_device{}());
  std::uniform_int_distribution<int> pick(low, high - 1);
  auto usable = [&](int port) {
    return std::find(avoid.begin(), avoid.end(), port) == avoid.end() && Bindable(port);
  };
  // Random picks first (spread), then every port in order (a nearly full range).
  for (int attempt = 0; attempt < 500; ++attempt)
    if (const int port = pick(rng); usable(port)) return port;
  for (int port = low; port < high; ++port)
    if (usable(port)) return port;
  throw std::runtime_error("cannot find a free port in " + std::to_string(low) + ".." +
                           std::to_string(high - 1));
}

RunResult RunArm(const RunContext& ctx, Arm arm, int pair, int rate, const std::string& dir,
                 RunKind kind) {
  const Scenario& s = *ctx.scenario;
  const bool probe_run = kind == RunKind::kProbeTime, profile_run = kind == RunKind::kProfile;
  RunResult r;
  r.arm = arm;
  r.pair = pair;
  r.rate = rate;
  r.dir = dir;
  r.probe_run = probe_run;
  r.profile_run = profile_run;
  std::filesystem::create_directories(dir);
  try {
    const bool grpc = s.fixture.protocol == "grpc";
    std::vector<int> avoid = ctx.reserved_ports;
    const int http_port = FreeLoopbackPort(avoid);
    avoid.push_back(http_port);
    const int grpc_port = grpc ? FreeLoopbackPort(avoid) : 0;
    const int traced_port = grpc ? grpc_port : http_port;
    // The measured load's requests carry /r/<rate>-<pair>-<arm letter>/<n> (model/identity.h);
    // the arm letter keeps the paths of a pair's arms the same length.
    const RequestIdentity identity{kMeasuredPrefix, std::to_string(rate) + "-" +
                                                        std::to_string(pair) + "-" + ArmLetter(arm)};

    std::vector<std::string> fixture_cmd{ctx.fixture_bin, "--http-port", std::to_string(http_port),
                                         "--access-log", dir + "/access.jsonl"};
    if (grpc) fixture_cmd.insert(fixture_cmd.end(), {"--grpc-port", std::to_string(grpc_port)});
    if (s.fixture.tls)
      fixture_cmd.insert(fixture_cmd.end(), {"--tls-cert", ctx.tls_cert, "--tls-key", ctx.tls_key});
    std::map<std::string, std::string> fixture_env;
    if (arm == Arm::kOtel) {
      fixture_env["NODE_OPTIONS"] = "--require " + ctx.otel_register;
      fixture_env["HUGIN_OTEL_SPAN_COUNT_FILE"] = dir + "/otel_spans.txt";
    }
    ChildProcess fixture = ChildProcess::Start(fixture_cmd, dir + "/fixture.out",
                                               dir + "/fixture.err", fixture_env, ctx.service_cpus);
    if (!fixture.WaitForText(dir + "/fixture.out", "ready", seconds(60)))
      throw std::runtime_error("fixture did not print 'ready' (see " + dir + "/fixture.err)");

    std::optional<ChildProcess> agent;
    if (RunsAgent(arm)) {
      std::map<std::string, std::string> agent_env;
      if (!s.hugin.fault.empty()) agent_env["HUGIN_FAULT"] = s.hugin.fault;
      if (IsStageArm(arm)) agent_env["HUGIN_PROBE_STAGE"] = ProbeStageOf(arm);
      if (const char* path = DataPathOf(arm)) agent_env["HUGIN_DATA_PATH"] = path;
      // hugin prints every span as JSON (the harness matches them); hugin_metrics prints none.
      const char* printer = arm == Arm::kHugin ? "json" : "disabled";
      agent = ChildProcess::Start(
          {ctx.agent_bin, "--open-port", std::to_string(traced_port), "--trace-printer", printer,
           "--prometheus-port", std::to_string(ctx.agent_metrics_port), "--payload-bytes",
           std::to_string(s.hugin.payload_bytes), "--ringbuf-bytes",
           std::to_string(s.hugin.ringbuf_bytes)},
          dir + "/spans.jsonl", dir + "/agent.err", agent_env, ctx.service_cpus);
      if (!agent->WaitForText(dir + "/agent.err", "hugin: ready", seconds(60)))
        throw std::runtime_error("agent did not print 'hugin: ready' (see " + dir + "/agent.err)");
      if (!WaitWatched(ctx.agent_metrics_port, seconds(10)))
        throw std::runtime_error("agent never reported hugin_watched_pids > 0 for port " +
                                 std::to_string(traced_port));
    }

    // hook_floor: empty programs on Hugin's hooks, started where the agent would be.
    std::optional<ChildProcess> floor;
    if (arm == Arm::kHookFloor) {
      floor = ChildProcess::Start({ctx.hook_floor_bin}, dir + "/hook_floor.out",
                                  dir + "/hook_floor.err", {}, ctx.service_cpus);
      if (!floor->WaitForText(dir + "/hook_floor.err", "hook_floor: ready", seconds(30)))
        throw std::runtime_error("hook_floor did not print 'hook_floor: ready' (see " + dir +
                                 "/hook_floor.err)");
    }

    LoadTarget target{s.fixture.tls ? "https" : "http", traced_port,
                      grpc ? "/hugin.fixture.Echo/Unary" : ""};
    // Warm-up: the same load, shorter, in its own folder; nothing of it is measured. Its HTTP/1.1
    // requests carry the warm-up prefix (/w/<run>/<n>); gRPC's are told apart by time: they
    // started before the measured load.
    if (s.load.warmup_s > 0) {
      Scenario warm = s;
      warm.load.duration_s = s.load.warmup_s;
      const std::string warm_dir = dir + "/warmup";
      std::filesystem::create_directories(warm_dir);
      const LoadResult w =
          RunLoad(warm, target, rate, {kWarmupPrefix, identity.run_id}, warm_dir);
      if (w.errors > 0)
        throw std::runtime_error("warm-up load reported " + FixedPoint(w.errors, 0) +
                                 " errors (see " + warm_dir + "/load.out)");
      if (agent) WaitSpansSettled(ctx.agent_metrics_port, seconds(10));
    }

    // Wire oracle: every arm of a fixed-rate plain-HTTP scenario is captured alike (the capture
    // costs the sender a packet copy per segment), only the hugin arm's pcap is decoded. After
    // the warm-up, before the measured load (its spans and log lines are the measured ones).
    // Not in the probe-time run: dumpcap's own syscalls would run Hugin's tracepoints too; not in
    // a profile run: its packet copies would land in the service's profile.
    std::optional<WireCapture> capture;
    if (ctx.wire_capture && WireOracleApplies(s) && kind == RunKind::kPaired)
      capture = WireCapture::Start(traced_port, dir + "/wire.pcapng");

    // Profile run: perf samples the service (frame-pointer call chains: Go and the kernel keep
    // them) and the agent (DWARF: built -O2 without frame pointers) over the measured load. A run of its own, never a pair's, because sampling
    // costs both processes; bpf_stats stays off so the profile sees what a user's run costs.
    std::optional<PerfRecorder> service_perf, agent_perf;
    std::string service_perf_error, agent_perf_error;
    if (profile_run) {
      PerfOptions o;
      o.frequency_hz = s.profile.frequency_hz;
      service_perf = PerfRecorder::Start({fixture.pid()}, dir, "service", o, service_perf_error);
      if (agent) {
        o.dwarf = true;
        // Both processes of the privilege split: the parsing process (ring buffer read, decode,
        // tracker, parsers, metrics, printing) is the agent's child.
        agent_perf = PerfRecorder::Start(ProcessTree(agent->pid()), dir, "agent", o,
                                         agent_perf_error);
      }
    }

    AgentCounters counters0;
    if (agent) {
      if (auto c = ReadCounters(ctx.agent_metrics_port)) counters0 = *c;
    }
    const TreeCpu fixture_cpu0 = ReadTreeCpu(fixture.pid());
    const TreeCpu agent_cpu0 = agent ? ReadTreeCpu(agent->pid()) : TreeCpu{};
    std::optional<BpfStats> bpf0;
    std::string bpf_error;
    // The probe-time run's programs: the agent's (hg_*) or the hook floor's (hf_*).
    auto read_probe_stats = [&]() {
      return agent ? ReadBpfStats("hg_", agent->pid(), bpf_error)
                   : ReadBpfStats("hf_", floor->pid(), bpf_error);
    };
    if (probe_run && (agent || floor)) bpf0 = read_probe_stats();
    const auto cpu_times0 = ReadCpuTimes();
    const int64_t measured_start_ns = MonotonicNowNs();

    r.load = RunLoad(s, target, rate, identity, dir);
    const double load_end_unix = UnixNow();
    if (const auto cpu_times1 = ReadCpuTimes(); cpu_times0 && cpu_times1)
      r.steal_percent = StealPercent(*cpu_times0, *cpu_times1);
    r.fixture_cpu_us = CpuMicrosBetween(fixture_cpu0, ReadTreeCpu(fixture.pid()));
    if (profile_run)
      r.service_profile = FinishProfile(service_perf, service_perf_error, ServiceGroups(),
                                        "service", r.fixture_cpu_us);
    if (capture) {
      r.wire.emplace();
      r.wire->capture = capture->Stop();
    }

    if (agent) {
      WaitSpansSettled(ctx.agent_metrics_port, seconds(10));
      r.agent_cpu_us = CpuMicrosBetween(agent_cpu0, ReadTreeCpu(agent->pid()));
      if (profile_run)
        r.agent_profile = FinishProfile(agent_perf, agent_perf_error, AgentGroups(), "agent",
                                        r.agent_cpu_us);
      r.agent_rss_bytes = TreePeakRssBytes(agent->pid());
      r.agent_pss_bytes = TreePssBytes(agent->pid());
      if (bpf0) {
        if (const auto bpf1 = read_probe_stats()) r.bpf = SubtractBpfStats(*bpf1, *bpf0);
      }
      if (auto c = ReadCounters(ctx.agent_metrics_port)) r.counters = Subtract(*c, counters0);
      if (ctx.prometheus) QueryPrometheus(ctx, traced_port, load_end_unix, r);
    }

    if (floor && bpf0) {
      if (const auto bpf1 = read_probe_stats()) r.bpf = SubtractBpfStats(*bpf1, *bpf0);
    }
    // A probe-time run is for its BPF figures: without them it failed.
    if (probe_run && !bpf_error.empty()) r.error = "reading BPF program stats: " + bpf_error;

    fixture.Stop();  // flushes the ground-truth log
    if (floor) {
      const int code = floor->Stop(seconds(10));
      if (code != 0) r.error = "hook_floor exited with " + std::to_string(code) + " on SIGTERM";
    }
    if (agent) {
      std::this_thread::sleep_for(milliseconds(200));
      const int code = agent->Stop(seconds(10));
      if (code != 0) r.error = "agent exited with " + std::to_string(code) + " on SIGTERM";
      r.data_path = ParseDataPath(ReadWholeFile(dir + "/agent.err"));
      if (const auto planted = ParsePlantedFaults(ReadWholeFile(dir + "/agent.err"))) {
        r.injected_dropped_spans = planted->dropped_spans;
        r.injected_swapped_statuses = planted->swapped_statuses;
      }
    }

    auto truth = ReadGroundTruthFile(dir + "/access.jsonl");
    uint64_t failing_statuses = 0;
    // A response the client never took is no exchange to capture; a warm-up request is not
    // measured: both are counted apart.
    std::erase_if(truth.records, [&](const GroundTruthRecord& t) {
      if (t.aborted) {
        r.client_aborted++;
        return true;
      }
      const bool warmup = grpc ? t.start_ns < measured_start_ns
                               : RoleOfPath(t.path, identity.run_id) == PathRole::kWarmup;
      if (warmup) {
        r.warmup_requests++;
        return true;
      }
      if (t.status >= 400) failing_statuses++;
      return false;
    });
    r.requests_served = truth.records.size();
    CheckLoadTool(r.load, failing_statuses, s.load.connections, dir, r.error);
    if (agent && arm == Arm::kHugin) {  // hugin_metrics prints no span
      auto spans = ReadSpanFile(dir + "/spans.jsonl");
      // The warm-up's spans are not measured: HTTP/1.1 ones carry the warm-up prefix; gRPC's
      // path is the method, so there they are told apart by time. gRPC is then matched by port
      // and time, HTTP/1.1 by identity.
      std::erase_if(spans.records, [&](const SpanRecord& sp) {
        return grpc ? sp.start_ns < measured_start_ns
                    : RoleOfPath(sp.path, identity.run_id) == PathRole::kWarmup;
      });
      r.match = grpc ? MatchSpans(truth.records, spans.records, traced_port)
                     : MatchSpansByIdentity(truth.records, spans.records, traced_port,
                                            identity.run_id);
      const AgentReports reports = ReadAgentReports(dir + "/spans.jsonl");
      r.loss = AccountLoss({truth.records, r.match.truth_matched, reports, traced_port,
                            measured_start_ns, static_cast<uint64_t>(r.load.requests),
                            static_cast<uint64_t>(r.counters.kernel_drops())});
      if (r.wire && r.wire->capture.valid()) {
        std::string decode_error;
        const WireDecode wire = DecodePcap(capture->pcap_path(), traced_port, decode_error);
        r.wire = AnalyzeWireTiming(r.wire->capture, wire.exchanges, spans.records, truth.records,
                                   traced_port);
        r.wire->decode_error = decode_error;
      }
    }
    if (arm == Arm::kOtel) {
      std::ifstream count(dir + "/otel_spans.txt");
      double n = 0;
      if (count >> n) r.otel_spans = n;
    }
    r.ok = r.error.empty();
  } catch (const std::exception& e) {
    r.ok = false;
    r.error = e.what();
  }
  return r;
}

}  // namespace hugin::harness
