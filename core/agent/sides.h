// The agent's two processes (README "Privileges"). RunAgent (agent.cc) loads and attaches the
// BPF programs, then forks: the parent keeps everything that needs privilege (map writes and
// reads, discovery over other users' /proc, TLS uprobes) and the child, unprivileged, reads the
// ring buffer, parses, aggregates, prints and serves /metrics. They talk over two
// SOCK_SEQPACKET socketpairs (core/privsep/messages.h): `control` for the main loops, `scrape`
// for the /metrics thread's request/reply.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <string>

#include "core/agent/fault_injection.h"
#include "core/config/config.h"
#include "core/discovery/discovery.h"
#include "core/loader/loader.h"
#include "core/privsep/channel.h"
#include "core/privsep/drop_privileges.h"

namespace hugin {

// The parent, after the fork: serves the child's requests, runs discovery and the uprobes,
// drains conn_losses, until *stop; then tells the child to stop and waits for it. Returns the
// exit status (1 when the child died or misbehaved). Does not print "detached" (RunAgent
// does, once the loader is gone). `kernel_metrics_notice` (kernel_metrics.h) is printed with the
// ready line, once the child is ready: a run that fails to start says one line only.
int RunPrivilegedSide(const Config& cfg, Selector selector, BpfLoader& loader, pid_t child,
                      privsep::Channel control, privsep::Channel scrape,
                      const std::atomic<bool>* stop, const std::string& kernel_metrics_notice);

// What the child needs; it holds no BpfLoader (it must never destroy the parent's).
struct ParsingSideSetup {
  int ring_fd = -1;
  uint32_t ring_bytes = 0;
  privsep::UnprivilegedUser user;
  pid_t parent = 0;
};

// The child: binds /metrics, drops privileges, then reads the ring until the parent says stop
// (or is gone). Returns the exit status; the caller _exit()s with it.
int RunParsingSide(const Config& cfg, const FaultPlan& faults, const ParsingSideSetup& setup,
                   privsep::Channel control, privsep::Channel scrape,
                   const std::atomic<bool>* stop, FILE* out);


}  // namespace hugin
