// hugin: eBPF auto-instrumentation for unmodified Linux services.
// Usage: see `hugin --help` and README.md.
#include <signal.h>

#include <atomic>
#include <cstdio>

#include "core/agent/agent.h"
#include "core/agent/fault_injection.h"
#include "core/config/config.h"

namespace {
std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop.store(true); }
}  // namespace

int main(int argc, char** argv) {
  auto parsed = hugin::ParseConfig(argc, argv, hugin::ProcessEnv());
  if (auto* err = std::get_if<hugin::ConfigError>(&parsed)) {
    std::fprintf(err->exit_code == 0 ? stdout : stderr, "%s\n", err->message.c_str());
    return err->exit_code;
  }
  auto faults = hugin::ParseFaultPlan(hugin::ProcessEnv());
  if (auto* err = std::get_if<hugin::ConfigError>(&faults)) {
    std::fprintf(stderr, "%s\n", err->message.c_str());
    return err->exit_code;
  }
  struct sigaction sa = {};
  sa.sa_handler = OnSignal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
  return hugin::RunAgent(std::get<hugin::Config>(parsed), std::get<hugin::FaultPlan>(faults),
                         &g_stop, stdout);
}
