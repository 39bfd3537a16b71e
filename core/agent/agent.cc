#include "core/agent/agent.h"

#include <time.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "core/agent/counter_board.h"
#include "core/conn/conn_tracker.h"
#include "core/discovery/discovery.h"
#include "core/export/loss_lines.h"
#include "core/export/metrics.h"
#include "core/export/prometheus_server.h"
#include "core/export/trace_lines.h"
#include "core/loader/loader.h"
#include "core/tls/tls_attacher.h"

namespace hugin {
namespace {

// The kernel side wakes the reader only when records pile up (cfg_wakeup_bytes),
// so the loop also drains on this timeout: spans are at most this late.
constexpr int kPollMs = 20;
// How often map conn_losses is emptied: it holds the connections that lost records in this
// time, so its size (maps.bpf.h) bounds how many may lose records per interval.
constexpr std::chrono::milliseconds kLossDrainInterval{100};

int64_t MonoToWallOffsetNs() {
  timespec mono, wall;
  clock_gettime(CLOCK_MONOTONIC, &mono);
  clock_gettime(CLOCK_REALTIME, &wall);
  auto ns = [](const timespec& t) { return int64_t(t.tv_sec) * 1000000000 + t.tv_nsec; };
  return ns(wall) - ns(mono);
}

// ParseConfig has checked the regex compiles; a Config built another way may not have.
Result<Selector> SelectorOf(const Config& cfg) {
  Selector sel;
  if (!cfg.open_ports.empty()) sel.port_selected = [cfg](uint16_t p) { return PortSelected(cfg, p); };
  if (!cfg.executable_regex.empty()) {
    auto matcher = ExecutableMatcher::Compile(cfg.executable_regex);
    if (!matcher.ok()) return Error{"executable name: " + matcher.error().message};
    sel.exe_matcher = std::move(matcher).value();
  }
  return sel;
}

ConnLoss ConnLossOf(const ConnLossEntry& e) {
  ConnLoss l;
  l.pid = e.id.tgid;
  l.fd = e.id.fd;
  l.generation = e.id.generation;
  l.local_port = e.loss.lport;
  l.peer_port = e.loss.rport;
  l.ingress_records = e.loss.ingress_records;
  l.egress_records = e.loss.egress_records;
  l.control_records = e.loss.control_records;
  l.bytes = e.loss.bytes;
  l.first_ns = e.loss.first_ns;
  l.last_ns = e.loss.last_ns;
  return l;
}

}  // namespace

int RunAgent(const Config& cfg, const FaultPlan& fault_plan, const std::atomic<bool>* stop,
             FILE* out) {
  auto selector = SelectorOf(cfg);
  if (!selector.ok()) {
    std::fprintf(stderr, "hugin: %s\n", selector.error().message.c_str());
    return 2;
  }
  LoaderOptions lopts;
  lopts.payload_bytes = cfg.payload_bytes;
  lopts.ringbuf_bytes = cfg.ringbuf_bytes;
  lopts.trace_all = cfg.trace_all;
  auto started = BpfLoader::Start(lopts);
  if (!started) {
    const hugin::Error* err = &started.error();
    std::fprintf(stderr, "hugin: %s\n", err->message.c_str());
    return 1;
  }
  auto loader = std::move(started).value();
  for (const std::string& d : loader->Degradations()) std::fprintf(stderr, "hugin: %s\n", d.c_str());

  Discovery discovery(std::move(selector).value(), "/proc", static_cast<uint32_t>(getpid()));
  std::map<uint32_t, std::string> names;  // pid -> service name
  auto service_name = [&](uint32_t pid) -> std::string {
    if (!cfg.service_name.empty()) return cfg.service_name;
    auto it = names.find(pid);
    if (it != names.end()) return it->second;
    std::string exe = ExecutableOf(pid);  // a pid not from discovery (--trace-all)
    return names[pid] = exe.empty() ? "unknown" : ServiceNameOfExecutable(exe);
  };

  Metrics metrics;
  FaultInjector faults(fault_plan);
  LoopTallies tallies;
  const bool json = cfg.trace_printer == TracePrinter::kJson;
  // Every stdout line goes through `lines`, written once per poll loop (or every 64 KiB).
  std::optional<TraceLines> lines;
  if (cfg.trace_printer != TracePrinter::kDisabled)
    lines.emplace(out, json ? SpanLineFormat::kJson : SpanLineFormat::kText);
  ConnTracker tracker(
      [&](Span&& s) {
        if (!faults.Apply(s)) return;
        tallies.spans_exported++;
        metrics.Observe(s);
        if (lines) lines->AddSpan(s);
      },
      service_name, MonoToWallOffsetNs(),
      {[&](const StreamGap& g) {
         if (json) lines->AddLine(FormatStreamGapJson(g));
       },
       [&](const UnpairedRequest& u) {
         if (json) lines->AddLine(FormatUnpairedRequestJson(u));
       }});
  TrackerLimits limits;
  limits.max_connections = cfg.max_connections;
  limits.max_pending_pairings = cfg.max_pending_pairings;
  limits.parser.max_in_flight = cfg.max_in_flight_requests;
  limits.parser.max_header_bytes = cfg.max_header_bytes;
  tracker.SetLimits(limits);
  tracker.SetCapturePolicySink([&](const events::ConnId& c, hg_capture_mode mode, bool tls) {
    if (!loader->SetCapturePolicy(hg_conn_id{c.tgid, c.fd, c.generation}, mode, tls))
      tallies.capture_policy_map_full++;
  });
  // Loss and gap lines go out with the json printer only; the text printer has the counters.
  auto report_losses = [&] {
    for (const ConnLossEntry& e : loader->DrainConnLosses()) {
      tallies.conn_loss_reports++;
      if (json) lines->AddLine(FormatConnLossJson(ConnLossOf(e)));
    }
  };
  auto flush = [&] {
    if (lines) lines->Flush();  // fflush too
    else std::fflush(out);
  };

  CounterBoard board;
  PrometheusServer prom;
  if (cfg.prometheus_port) {
    auto err = prom.Start(cfg.prometheus_port, [&] {
      return metrics.Expose(board.Snapshot(loader->Counters()));
    });
    if (err) {
      std::fprintf(stderr, "%s\n", err->c_str());  // already "hugin: ..."
      return 1;
    }
  }

  tls::TlsAttacher tls_probes(loader.get());
  auto apply_discovery = [&] {
    auto ch = discovery.Rescan();
    if (!ch.notice.empty()) std::fprintf(stderr, "%s\n", ch.notice.c_str());
    for (auto& p : ch.added) {
      if (!loader->WatchPid(p.pid)) {
        std::fprintf(stderr, "hugin: cannot watch pid %u: above the kernel's pid limit\n", p.pid);
        continue;
      }
      names[p.pid] = cfg.service_name.empty() ? p.service_name : cfg.service_name;
      std::fprintf(stderr, "hugin: watching pid %u (%s)\n", p.pid, p.exe.c_str());
    }
    for (uint32_t pid : ch.removed) {
      tls_probes.Forget(pid);
      loader->UnwatchPid(pid);
      tracker.ForgetProcess(pid);
      names.erase(pid);
      std::fprintf(stderr, "hugin: pid %u is gone\n", pid);
    }
    // Every pass, not only for new processes: a TLS library may be loaded late (Python's
    // `import ssl`). Reading /proc/PID/maps is cheap; a file already probed is skipped.
    for (const auto& [pid, info] : discovery.current()) tls_probes.Scan(pid);
    for (const std::string& line : tls_probes.TakeNotices()) std::fprintf(stderr, "%s\n", line.c_str());
    tallies.tls_unsupported = tls_probes.Unsupported();
  };
  auto publish = [&] {
    tallies.watched_pids = discovery.current().size();
    board.Publish(tracker.stats(), tallies);
  };
  if (!cfg.trace_all) apply_discovery();
  publish();
  std::fprintf(stderr,
               "hugin: ready: %d BPF programs loaded (%d attached on syscall tracepoints, %d for "
               "TLS library uprobes)%s\n",
               loader->ProgramCount() + loader->ProgramCount(true), loader->ProgramCount(),
               loader->ProgramCount(true),
               cfg.prometheus_port
                   ? (", metrics on :" + std::to_string(cfg.prometheus_port) + "/metrics").c_str()
                   : "");

  BpfLoader::RecordHandler on_record = [&](const void* d, size_t n) { tracker.OnRecord(d, n); };
  auto next_scan = std::chrono::steady_clock::now();
  auto next_loss_drain = next_scan + kLossDrainInterval;
  while (!stop->load()) {
    int n = loader->Poll(kPollMs, on_record);
    if (n < 0 && n != -EINTR) {
      std::fprintf(stderr, "hugin: ring buffer poll failed (%d)\n", n);
      break;
    }
    auto now = std::chrono::steady_clock::now();
    if (now >= next_loss_drain) {
      report_losses();
      next_loss_drain = now + kLossDrainInterval;
    }
    flush();
    if (now >= next_scan) {
      if (!cfg.trace_all) apply_discovery();
      next_scan = now + std::chrono::milliseconds(cfg.discovery_interval_ms);
    }
    publish();
  }
  // Drain what the kernel already wrote, then detach (the loader's destructor).
  while (loader->Poll(0, on_record) > 0) {
  }
  report_losses();
  flush();
  prom.Stop();
  if (fault_plan.enabled) std::fprintf(stderr, "%s\n", faults.Summary().c_str());
  std::fprintf(stderr, "hugin: detached\n");
  return 0;
}

}  // namespace hugin
