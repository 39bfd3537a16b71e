// The privileged process's loop (sides.h): discovery, TLS uprobes, map reads and writes on the
// parsing process's behalf. It never reads a traced process's bytes.
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "core/agent/service_names.h"
#include "core/agent/sides.h"
#include "core/agent/wake_schedule.h"
#include "core/discovery/discovery.h"
#include "core/tls/tls_attacher.h"

namespace hugin {
namespace {

using Clock = std::chrono::steady_clock;
using namespace privsep;

// How long the parsing process may take to drain and exit once told to stop.
constexpr std::chrono::seconds kChildStopGrace{10};

std::string DescribeExit(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("was killed by signal ") + strsignal(WTERMSIG(status));
  return "stopped";
}

class PrivilegedSide {
 public:
  PrivilegedSide(const Config& cfg, Selector selector, BpfLoader& loader, pid_t child,
                 Channel control, Channel scrape)
      : cfg_(cfg), loader_(loader), child_(child), control_(std::move(control)),
        scrape_(std::move(scrape)), discovery_(std::move(selector), "/proc", getpid()),
        tls_probes_(&loader) {}

  int Run(const std::atomic<bool>* stop, const std::string& kernel_metrics_notice);

 private:
  // One message from `ch`; false when the loop must end (child gone or misbehaving).
  bool Handle(Channel& ch);
  void ApplyDiscovery();
  size_t DrainLosses();  // returns how many connections had lost records
  CountersMsg Counters(uint64_t seq);
  // The reply to a scrape: CountersMsg, then the KernelSeriesMsg packets it announces.
  Status ReplyToScrape(uint64_t seq);
  std::string SeriesServiceName(uint32_t pid);
  int Fail(const std::string& why);

  const Config& cfg_;
  BpfLoader& loader_;
  pid_t child_;
  Channel control_, scrape_;
  Discovery discovery_;
  tls::TlsAttacher tls_probes_;
  ServiceNames names_;  // of every pid announced, for the kernel's series
  uint64_t capture_policy_map_full_ = 0;
  bool ready_ = false, stopping_ = false, child_closed_ = false;
  uint32_t prometheus_port_ = 0;
  std::string error_;
};

bool PrivilegedSide::Handle(Channel& ch) {
  auto got = ch.Receive();
  if (!got) {
    error_ = "the parsing process sent " + got.error().message;
    return false;
  }
  if (std::holds_alternative<Closed>(got.value())) {
    child_closed_ = true;
    return false;
  }
  const Message& m = std::get<Message>(got.value());
  if (auto* r = std::get_if<ReadyMsg>(&m); r && !ready_) {
    ready_ = true;
    prometheus_port_ = r->prometheus_port;
  } else if (auto* p = std::get_if<SetCapturePolicyMsg>(&m)) {
    hg_conn_id conn{p->conn.tgid, p->conn.fd, p->conn.generation};
    if (!loader_.SetCapturePolicy(conn, static_cast<hg_capture_mode>(p->mode), p->tls))
      capture_policy_map_full_++;
  } else if (auto* q = std::get_if<CountersRequestMsg>(&m); q && &ch == &scrape_) {
    if (auto s = ReplyToScrape(q->seq); !s) {
      error_ = s.error().message;
      return false;
    }
  } else {
    error_ = "the parsing process sent a message it must not send (type " +
             std::to_string(m.index()) + ")";
    return false;
  }
  return true;
}

CountersMsg PrivilegedSide::Counters(uint64_t seq) {
  CountersMsg c{};
  c.seq = seq;
  KernelCounters k = loader_.Counters();
  for (size_t i = 0; i < k.size(); i++) c.kernel[i] = k[i];
  c.watched_pids = discovery_.current().size() - discovery_.current().count(child_);
  c.capture_policy_map_full = capture_policy_map_full_;
  for (const auto& [lib, n] : tls_probes_.Unsupported()) {
    if (c.tls_unsupported_count == CountersMsg::kMaxTlsLibraries) break;
    auto& e = c.tls_unsupported[c.tls_unsupported_count++];
    CopyString(e.library, lib);
    e.processes = n;
  }
  return c;
}

Status PrivilegedSide::ReplyToScrape(uint64_t seq) {
  constexpr uint32_t kPerMsg = KernelSeriesMsg::kMaxEntries;
  std::vector<KernelSeriesEntry> series = loader_.KernelSeries();
  // Never more than the codec accepts (16 times the map's size: cannot happen).
  series.resize(std::min<size_t>(series.size(), size_t{kMaxKernelSeriesMsgs} * kPerMsg));
  CountersMsg c = Counters(seq);
  c.kernel_series_msgs = static_cast<uint32_t>((series.size() + kPerMsg - 1) / kPerMsg);
  if (auto s = scrape_.Send(c); !s) return s;
  // The /metrics thread reads these as they come, so a reply larger than the socket's buffer
  // only makes Send wait for it.
  KernelSeriesMsg msg{};
  msg.seq = seq;
  for (size_t i = 0; i < series.size();) {
    msg.count = 0;
    for (; i < series.size() && msg.count < kPerMsg; i++) {
      auto& e = msg.entries[msg.count++];
      e.key = series[i].key;
      e.value = series[i].value;
      CopyString(e.service_name, SeriesServiceName(series[i].key.tgid));
    }
    if (auto s = scrape_.Send(msg); !s) return s;
  }
  return Ok{};
}

std::string PrivilegedSide::SeriesServiceName(uint32_t pid) {
  if (!cfg_.service_name.empty()) return cfg_.service_name;
  if (const std::string* name = names_.Find(pid)) return *name;
  // Never announced: --trace-all (no discovery). Named from its executable, as the parsing
  // process names such a pid, while it runs; once, then remembered.
  if (names_.full()) return ServiceNames::kUnknown;
  const std::string exe = ExecutableOf(pid);
  names_.Remember(pid, exe.empty() ? ServiceNames::kUnknown : ServiceNameOfExecutable(exe));
  return *names_.Find(pid);
}

void PrivilegedSide::ApplyDiscovery() {
  auto ch = discovery_.Rescan();
  if (!ch.notice.empty()) std::fprintf(stderr, "%s\n", ch.notice.c_str());
  for (auto& p : ch.added) {
    if (p.pid == static_cast<uint32_t>(child_)) continue;  // our own parsing process
    // The name first, then the watch bit: a record of this pid never precedes its name.
    WatchingMsg w{};
    w.pid = p.pid;
    CopyString(w.service_name, cfg_.service_name.empty() ? p.service_name : cfg_.service_name);
    (void)control_.Send(w);  // a dead child is noticed by the loop
    if (!loader_.WatchPid(p.pid)) {
      std::fprintf(stderr, "hugin: cannot watch pid %u: above the kernel's pid limit\n", p.pid);
      (void)control_.Send(GoneMsg{p.pid});
      continue;
    }
    names_.Remember(p.pid, w.service_name);  // kept after the pid is gone: its series stay
    std::fprintf(stderr, "hugin: watching pid %u (%s)\n", p.pid, p.exe.c_str());
  }
  for (uint32_t pid : ch.removed) {
    if (pid == static_cast<uint32_t>(child_)) continue;
    tls_probes_.Forget(pid);
    loader_.UnwatchPid(pid);
    (void)control_.Send(GoneMsg{pid});
    std::fprintf(stderr, "hugin: pid %u is gone\n", pid);
  }
  // Every pass, not only for new processes: a TLS library may be loaded late (Python's
  // `import ssl`). Reading /proc/PID/maps is cheap; a file already probed is skipped.
  const size_t examined = tls_probes_.examined_files();
  for (const auto& [pid, info] : discovery_.current())
    if (pid != static_cast<uint32_t>(child_)) tls_probes_.Scan(pid);
  // Examining an executable (a Go binary's symbols and disassembly) allocates ~10 MB that is
  // freed at once; glibc kept it in the heap whenever a small allocation made meanwhile sat
  // above it (tests/e2e/test_memory_bounds.py: the privileged process's heap 11.7 MB instead
  // of 1.7 in about half the runs). Give it back.
  if (tls_probes_.examined_files() != examined) malloc_trim(0);
  for (const std::string& line : tls_probes_.TakeNotices()) std::fprintf(stderr, "%s\n", line.c_str());
}

size_t PrivilegedSide::DrainLosses() {
  ConnLossesMsg msg{};
  auto flush = [&] {
    if (msg.count) (void)control_.Send(msg);
    msg.count = 0;
  };
  const std::vector<ConnLossEntry> losses = loader_.DrainConnLosses();
  for (const ConnLossEntry& e : losses) {
    msg.entries[msg.count++] = e;
    if (msg.count == ConnLossesMsg::kMaxEntries) flush();
  }
  flush();
  return losses.size();
}

int PrivilegedSide::Fail(const std::string& why) {
  std::fprintf(stderr, "hugin: %s\n", why.c_str());
  kill(child_, SIGKILL);
  waitpid(child_, nullptr, 0);
  return 1;
}

int PrivilegedSide::Run(const std::atomic<bool>* stop, const std::string& kernel_metrics_notice) {
  // Until the child is ready (bound /metrics, dropped privileges), only its Ready or its exit.
  while (!ready_) {
    if (!Handle(control_)) break;
  }
  if (!ready_) {
    int status = 0;
    waitpid(child_, &status, 0);
    // A child that exited with a failure status said why on stderr, in one line (the user sees
    // one error); a child killed by a signal, or one that exited 0, said nothing.
    if (!WIFEXITED(status) || WEXITSTATUS(status) == 0)
      std::fprintf(stderr, "hugin: the parsing process %s before it was ready\n",
                   DescribeExit(status).c_str());
    return 1;
  }
  if (!cfg_.trace_all) ApplyDiscovery();
  if (!kernel_metrics_notice.empty()) std::fprintf(stderr, "%s\n", kernel_metrics_notice.c_str());
  std::fprintf(stderr,
               "hugin: ready: %d BPF programs loaded (%d attached on tracepoints, %d for "
               "TLS library uprobes; data path: %s)%s\n",
               loader_.ProgramCount() + loader_.ProgramCount(true), loader_.ProgramCount(),
               loader_.ProgramCount(true), DataPathName(loader_.data_path()),
               prometheus_port_ ? (", metrics on :" + std::to_string(prometheus_port_) + "/metrics").c_str()
                                : "");

  auto next_scan = Clock::now() + std::chrono::milliseconds(cfg_.discovery_interval_ms);
  Backoff loss_drain(kLossDrainInterval, kIdleLossDrainInterval);
  auto next_loss_drain = Clock::now() + loss_drain.current();
  Clock::time_point stop_deadline;
  while (!child_closed_) {
    if (stop->load() && !stopping_) {
      DrainLosses();  // the last losses reach the child before it drains the ring and exits
      (void)control_.Send(StopMsg{});
      stopping_ = true;
      stop_deadline = Clock::now() + kChildStopGrace;
    }
    if (stopping_ && Clock::now() > stop_deadline)
      return Fail("the parsing process did not stop within " +
                  std::to_string(kChildStopGrace.count()) + " s; killed it");
    pollfd fds[2] = {{control_.fd(), POLLIN, 0}, {scrape_.fd(), POLLIN, 0}};
    // Messages wake this loop; the timeout only serves the periodic work (loss drain, discovery)
    // and the stop checks, so sleep until the next of them (wake_schedule.h). A signal
    // interrupts the poll.
    const auto until_next = std::min(next_loss_drain, next_scan) - Clock::now();
    const int timeout_ms = static_cast<int>(std::clamp<int64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(until_next).count() + 1, 0,
        stopping_ ? kLossDrainInterval.count() : kIdleLossDrainInterval.count()));
    int n = poll(fds, 2, timeout_ms);
    if (n < 0 && errno != EINTR) return Fail(std::string("poll failed: ") + strerror(errno));
    // The scrape socket first: a reply is awaited there.
    if (n > 0 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) && !Handle(scrape_) && !child_closed_)
      break;
    if (n > 0 && (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) && !Handle(control_)) break;
    auto now = Clock::now();
    bool scanned = false;
    if (now >= next_scan && !stopping_) {
      if (!cfg_.trace_all) ApplyDiscovery();
      next_scan = now + std::chrono::milliseconds(cfg_.discovery_interval_ms);
      scanned = true;
    }
    // Awake for discovery anyway: drain too, so an idle agent wakes once a second, not twice.
    if (now >= next_loss_drain || scanned) {
      next_loss_drain = now + loss_drain.After(DrainLosses() > 0);
    }
  }
  if (!error_.empty()) return Fail(error_ + "; stopping");
  int status = 0;
  waitpid(child_, &status, 0);
  // A signal to the whole process group reaches the child too; it then stops on its own.
  stopping_ = stopping_ || stop->load();
  if (!stopping_ || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "hugin: the parsing process (pid %d) %s%s\n", child_,
                 DescribeExit(status).c_str(), stopping_ ? " while stopping" : " unexpectedly");
    return 1;
  }
  return 0;
}

}  // namespace

int RunPrivilegedSide(const Config& cfg, Selector selector, BpfLoader& loader, pid_t child, Channel control,
                      Channel scrape, const std::atomic<bool>* stop,
                      const std::string& kernel_metrics_notice) {
  PrivilegedSide side(cfg, std::move(selector), loader, child, std::move(control), std::move(scrape));
  return side.Run(stop, kernel_metrics_notice);
}

}  // namespace hugin
