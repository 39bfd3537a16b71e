#include "core/agent/agent.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/agent/kernel_metrics.h"
#include "core/agent/sides.h"
#include "core/loader/loader.h"
#include "core/privsep/capabilities.h"
#include "core/privsep/channel.h"
#include "core/privsep/drop_privileges.h"

namespace hugin {
namespace {

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

}  // namespace

int RunAgent(const Config& cfg, const FaultPlan& fault_plan, const std::atomic<bool>* stop,
             FILE* out) {
  auto fail = [](const std::string& why) {
    std::fprintf(stderr, "hugin: %s\n", why.c_str());
    return 1;
  };
  auto selector = SelectorOf(cfg);
  if (!selector) {
    std::fprintf(stderr, "hugin: %s\n", selector.error().message.c_str());
    return 2;
  }
  auto user = privsep::LookUpUser(cfg.user);  // before attaching anything
  if (!user) return fail(user.error().message);
  // Every capability the run needs, before anything is loaded: one line naming what is missing.
  auto caps = privsep::EffectiveCapabilities();
  if (!caps) return fail(caps.error().message);
  if (Status s = privsep::CheckAgentCapabilities(caps.value(), user->name, !cfg.trace_all); !s)
    return fail(s.error().message);
  LoaderOptions lopts;
  lopts.payload_bytes = cfg.payload_bytes;
  lopts.ringbuf_bytes = cfg.ringbuf_bytes;
  lopts.trace_all = cfg.trace_all;
  const KernelMetricsChoice kernel_metrics = ChooseKernelMetrics(cfg, fault_plan);
  lopts.kernel_http1 = kernel_metrics.on;
  lopts.probe_stage = static_cast<uint8_t>(cfg.probe_stage);
  lopts.data_path = cfg.data_path;
  if (cfg.probe_stage != ProbeStage::kFull)
    std::fprintf(stderr,
                 "hugin: HUGIN_PROBE_STAGE=%s: each data call stops after %s; no data is recorded "
                 "(a cost measurement, not telemetry)\n",
                 cfg.probe_stage == ProbeStage::kLookup ? "lookup" : "heads",
                 cfg.probe_stage == ProbeStage::kLookup ? "finding its connection"
                                                        : "copying its first bytes");
  auto started = BpfLoader::Start(lopts);
  if (!started) return fail(started.error().message);
  auto loader = std::move(started).value();
  for (const std::string& d : loader->Degradations()) std::fprintf(stderr, "hugin: %s\n", d.c_str());
  for (const PortRange& r : cfg.open_ports)
    for (uint32_t p = r.first; p <= r.last; p++) loader->WatchPort(static_cast<uint16_t>(p));
  if (std::string n = privsep::TlsUprobeNotice(caps.value()); !n.empty())
    std::fprintf(stderr, "%s\n", n.c_str());

  auto control = privsep::MakeSocketPair();
  auto scrape = privsep::MakeSocketPair();
  if (!control || !scrape) return fail((control ? scrape : control).error().message);
  const pid_t parent = getpid();
  std::fflush(out);  // nothing buffered may be written twice
  std::fflush(stderr);
  // Forked before any traced byte is read: the child starts with only the ring's fd.
  const pid_t child = fork();
  if (child < 0) return fail(std::string("cannot fork the parsing process (") + strerror(errno) + ")");
  if (child == 0) {
    ParsingSideSetup setup{loader->RingFd(), loader->RingBytes(), user.value(), parent};
    // Never destroyed here: destroying it would detach the parent's programs and uprobes.
    loader->UnmapAfterFork();
    (void)loader.release();
    close(control->first);
    close(scrape->first);
    privsep::CloseFdsExcept({0, 1, 2, setup.ring_fd, control->second, scrape->second});
    int rc = RunParsingSide(cfg, fault_plan, setup, privsep::Channel(control->second),
                            privsep::Channel(scrape->second), stop, out);
    std::fflush(out);
    std::fflush(stderr);
    _exit(rc);
  }
  close(control->second);
  close(scrape->second);
  int rc = RunPrivilegedSide(cfg, std::move(selector).value(), *loader, child, privsep::Channel(control->first),
                             privsep::Channel(scrape->first), stop, kernel_metrics.notice);
  loader.reset();  // detaches every program and uprobe
  std::fprintf(stderr, "hugin: detached\n");
  return rc;
}

}  // namespace hugin
