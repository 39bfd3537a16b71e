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
  if (!parsed.ok()) {
    std::fprintf(stderr, "%s\n", parsed.error().message.c_str());
    return hugin::kExitBadInput;
  }
  if (auto* help = std::get_if<hugin::HelpText>(&parsed.value())) {
    std::fprintf(stdout, "%s\n", help->text.c_str());
    return 0;
  }
  auto faults = hugin::ParseFaultPlan(hugin::ProcessEnv());
  if (!faults.ok()) {
    std::fprintf(stderr, "%s\n", faults.error().message.c_str());
    return hugin::kExitBadInput;
  }
  struct sigaction sa = {};
  sa.sa_handler = OnSignal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
  return hugin::RunAgent(std::get<hugin::Config>(parsed.value()), faults.value(),
                         &g_stop, stdout);
}
