// The parsing process's loop (sides.h): unprivileged, it turns ring buffer records into spans,
// metrics and trace lines. Everything it needs from the kernel side it asks the privileged
// process for over the socketpairs; it makes no bpf() call.
#include <poll.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/agent/counter_board.h"
#include "core/agent/drain_gate.h"
#include "core/agent/kernel_metrics.h"
#include "core/agent/sides.h"
#include "core/agent/wake_schedule.h"
#include "core/conn/conn_tracker.h"
#include "core/discovery/discovery.h"
#include "core/export/loss_lines.h"
#include "core/export/metrics.h"
#include "core/export/prometheus_server.h"
#include "core/export/trace_lines.h"
#include "core/loader/ring_reader.h"

namespace hugin {
namespace {

using namespace privsep;

// How long a signalled parsing process waits for the privileged process's StopMsg.
constexpr std::chrono::seconds kStopMessageGrace{3};
// How long a scrape waits for the loop to drain the ring before it is served anyway.
constexpr std::chrono::milliseconds kScrapeDrainWait{2000};

int64_t MonoToWallOffsetNs() {
  timespec mono, wall;
  clock_gettime(CLOCK_MONOTONIC, &mono);
  clock_gettime(CLOCK_REALTIME, &wall);
  auto ns = [](const timespec& t) { return int64_t(t.tv_sec) * 1000000000 + t.tv_nsec; };
  return ns(wall) - ns(mono);
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

// What one scrape gets from the privileged process.
struct ScrapeReply {
  CountersMsg counters;
  std::vector<KernelSeriesSample> kernel_series;  // server-side ones, named
};

// The /metrics thread's request/reply on the scrape socket: the kernel's counters and series
// and the tallies the privileged process keeps, as they are at the scrape.
class CountersClient {
 public:
  explicit CountersClient(Channel ch) : ch_(std::move(ch)) {}
  Result<ScrapeReply> Get() {
    std::lock_guard<std::mutex> l(mu_);
    if (auto s = ch_.Send(CountersRequestMsg{++seq_}); !s) return s.error();
    Result<ScrapeReply> reply{std::in_place};
    auto counters = Next<CountersMsg>();
    if (!counters) return counters.error();
    reply->counters = counters.value();
    for (uint32_t n = 0; n < reply->counters.kernel_series_msgs; n++) {
      auto series = Next<KernelSeriesMsg>();
      if (!series) return series.error();
      for (uint32_t i = 0; i < series->count; i++) {
        const auto& e = series->entries[i];
        if (auto sample = KernelSeriesSampleOf(e.key, e.value, e.service_name))
          reply->kernel_series.push_back(std::move(*sample));
      }
    }
    return reply;
  }

 private:
  // The next packet of this reply, a T with the current seq. Packets of an earlier reply
  // that was cut short (one of its packets malformed) are skipped: the next scrape recovers.
  template <typename T>
  Result<T> Next() {
    for (;;) {
      auto got = ch_.Receive();
      if (!got) return got.error();
      auto* m = std::get_if<Message>(&got.value());
      if (!m) return Error{"the privileged process is gone"};
      uint64_t seq = seq_ + 1;  // anything without a seq is out of place
      if (auto* c = std::get_if<CountersMsg>(m)) seq = c->seq;
      if (auto* k = std::get_if<KernelSeriesMsg>(m)) seq = k->seq;
      if (seq < seq_) continue;
      auto* t = std::get_if<T>(m);
      if (!t || seq != seq_) return Error{"no counters from the privileged process"};
      return *t;
    }
  }

  std::mutex mu_;
  Channel ch_;
  uint64_t seq_ = 0;
};

}  // namespace

int RunParsingSide(const Config& cfg, const FaultPlan& fault_plan, const ParsingSideSetup& setup,
                   Channel control, Channel scrape, const std::atomic<bool>* stop, FILE* out) {
  // The privileged process decides when to stop (it is told by SIGINT/SIGTERM); SIGTERM here
  // comes from PR_SET_PDEATHSIG or a signal to the whole group, and stops this side too.
  signal(SIGINT, SIG_IGN);

  std::map<uint32_t, std::string> names;  // pid -> service name, from Watching messages
  std::vector<Message> pending;           // read early (see service_name), handled in the loop
  std::string fatal;  // set when the privileged process is gone or misbehaves
  // Reads what the privileged process sent, without blocking: Watching messages are applied
  // now, the others queued in `pending`.
  auto read_messages = [&] {
    pollfd p{control.fd(), POLLIN, 0};
    while (fatal.empty() && poll(&p, 1, 0) > 0) {
      auto got = control.Receive();
      if (!got) {
        fatal = "the privileged process sent " + got.error().message;
      } else if (std::holds_alternative<Closed>(got.value())) {
        fatal = "the privileged process is gone";
      } else if (auto* w = std::get_if<WatchingMsg>(&std::get<Message>(got.value()))) {
        names[w->pid] = w->service_name;
      } else {
        pending.push_back(std::get<Message>(got.value()));
      }
    }
  };
  auto service_name = [&](uint32_t pid) -> std::string {
    if (!cfg.service_name.empty()) return cfg.service_name;
    auto it = names.find(pid);
    if (it != names.end()) return it->second;
    // The privileged side sends a pid's name before setting its watch bit, so the name is
    // in the socket by now if discovery selected the pid.
    read_messages();
    if ((it = names.find(pid)) != names.end()) return it->second;
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
    SetCapturePolicyMsg m{};
    m.conn = hg_conn_id{c.tgid, c.fd, c.generation};
    m.mode = mode;
    m.tls = tls ? 1 : 0;
    if (auto s = control.Send(m); !s && fatal.empty()) fatal = s.error().message;
  });

  CounterBoard board;
  CountersClient counters(std::move(scrape));
  std::mutex scrape_mu;
  DrainGate drain_gate;
  if (auto s = drain_gate.Open(); !s) {
    std::fprintf(stderr, "hugin: parsing process: %s\n", s.error().message.c_str());
    return 1;
  }
  PrometheusServer prom;
  if (cfg.prometheus_port) {
    // Bound while still root (a port below 1024 works); served after the drop.
    Status bound = prom.Bind(cfg.prometheus_port, [&]() -> Result<std::string> {
      // One scrape at a time, from the request to the exposition: two at once could set the
      // older kernel snapshot last, and a counter would go back.
      std::lock_guard<std::mutex> one_at_a_time(scrape_mu);
      // Records the loop has not read yet (it may sleep a second when idle) first. A loop that
      // does not answer in time (it is stopping) still gets its scrape served, as it stands.
      (void)drain_gate.RequestPass(kScrapeDrainWait);
      auto reply = counters.Get();
      if (!reply) return reply.error();
      const CountersMsg& c = reply->counters;
      KernelCounters k{};
      for (size_t i = 0; i < k.size(); i++) k[i] = c.kernel[i];
      AgentCounters a = board.Snapshot(k);
      a.watched_pids = c.watched_pids;
      a.capture_policy_map_full = c.capture_policy_map_full;
      a.tls_unsupported.clear();
      for (uint32_t i = 0; i < c.tls_unsupported_count; i++)
        a.tls_unsupported[c.tls_unsupported[i].library] = c.tls_unsupported[i].processes;
      metrics.SetKernelSeries(std::move(reply->kernel_series));
      return metrics.Expose(a);
    });
    if (!bound.ok()) {
      std::fprintf(stderr, "%s\n", bound.error().message.c_str());  // already "hugin: ..."
      return 1;
    }
  }
  if (auto s = DropPrivileges(setup.user, setup.parent); !s) {
    std::fprintf(stderr, "hugin: parsing process: %s\n", s.error().message.c_str());
    return 1;
  }
  auto reader = RingReader::Open(setup.ring_fd, setup.ring_bytes);
  if (!reader) {
    std::fprintf(stderr, "hugin: parsing process: %s\n", reader.error().message.c_str());
    return 1;
  }
  // The loop sleeps in the ring's wait: messages and scrapes wake it too.
  for (int fd : {control.fd(), drain_gate.fd()}) {
    if (auto s = (*reader)->WatchFd(fd); !s) {
      std::fprintf(stderr, "hugin: parsing process: %s\n", s.error().message.c_str());
      return 1;
    }
  }
  prom.Serve();
  if (auto s = control.Send(ReadyMsg{prom.port()}); !s) {
    std::fprintf(stderr, "hugin: parsing process: %s\n", s.error().message.c_str());
    return 1;
  }

  auto flush = [&] {
    if (lines) lines->Flush();  // fflush too
    else std::fflush(out);
  };
  auto publish = [&] { board.Publish(tracker.stats(), tallies); };
  bool stopping = false;
  auto handle_messages = [&] {
    read_messages();
    for (const Message& m : pending) {
      if (auto* g = std::get_if<GoneMsg>(&m)) {
        tracker.ForgetProcess(g->pid);
        names.erase(g->pid);
      } else if (auto* l = std::get_if<ConnLossesMsg>(&m)) {
        for (uint32_t i = 0; i < l->count; i++) {
          tallies.conn_loss_reports++;
          if (json) lines->AddLine(FormatConnLossJson(ConnLossOf(l->entries[i])));
        }
      } else if (std::holds_alternative<StopMsg>(m)) {
        stopping = true;
      } else if (fatal.empty()) {
        fatal = "the privileged process sent a message it must not send";
      }
    }
    pending.clear();
  };

  RingReader::Handler on_record = [&](const void* d, size_t n) { tracker.OnRecord(d, n); };
  publish();
  // A signal to the whole process group (a supervisor, the harness) reaches this process too.
  // It keeps reading until the privileged process's StopMsg, which follows that process's last
  // loss report; were it to exit first, those messages would be lost unread. A signal to this
  // process alone: stop after a short grace.
  std::optional<std::chrono::steady_clock::time_point> signalled_at;
  Backoff wait(kPollMs, kIdlePollMs);
  const bool printing = cfg.trace_printer != TracePrinter::kDisabled;
  while (!stopping && fatal.empty()) {
    if (stop->load()) {
      const auto now = std::chrono::steady_clock::now();
      if (!signalled_at) signalled_at = now;
      if (now - *signalled_at > kStopMessageGrace) break;
    }
    const auto timeout = printing || signalled_at ? kPollMs : wait.current();
    if (Status w = (*reader)->Wait(static_cast<int>(timeout.count())); !w.ok()) {
      fatal = w.error().message;
      break;
    }
    const uint64_t ticket = drain_gate.BeginPass();
    const int consumed = (*reader)->Consume(on_record);
    handle_messages();
    flush();
    publish();
    drain_gate.EndPass(ticket);
    wait.After(consumed > 0);
  }
  drain_gate.Close();
  // Drain what the kernel already wrote.
  while ((*reader)->Consume(on_record) > 0) {
  }
  flush();
  prom.Stop();
  if (fault_plan.enabled) std::fprintf(stderr, "%s\n", faults.Summary().c_str());
  if (!fatal.empty()) {
    std::fprintf(stderr, "hugin: parsing process: %s\n", fatal.c_str());
    return 1;
  }
  return 0;
}

}  // namespace hugin
