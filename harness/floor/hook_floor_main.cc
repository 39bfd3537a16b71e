// hook_floor: attaches the empty programs of hook_floor.bpf.c, says
// "hook_floor: ready: N programs attached (...)" on stderr, and holds them until SIGTERM or
// SIGINT. The harness's hook_floor arm runs it next to the fixture. Needs root (BPF).
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "harness/floor/hook_floor.h"

int main(int argc, char** argv) {
  if (argc > 1) {
    const bool help = std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0;
    std::fprintf(help ? stdout : stderr,
                 "%s%s"
                 "usage: hook_floor\n"
                 "Attaches an empty BPF program to every hook Hugin uses for all processes\n"
                 "on its data path (syscalls: tp_btf/sys_exit, syscalls/sys_enter_close;\n"
                 "sockets: tp_btf/sock_recv_length, sock_send_length, inet_sock_set_state,\n"
                 "tcp_destroy_sock;\n"
                 "both: sched/sched_process_exit, tp_btf/sk_data_ready) until SIGTERM or\n"
                 "SIGINT. HUGIN_DATA_PATH=auto|syscalls|sockets picks the path as for the\n"
                 "agent (auto: sockets when the kernel has them). Needs root.\n",
                 help ? "" : "hook_floor: takes no arguments, got ", help ? "" : argv[1]);
    if (!help) std::fputc('\n', stderr);
    return help ? 0 : 2;
  }
  // Blocked before the programs exist, so a signal sent as soon as "ready" is read waits for
  // sigwait instead of killing the process with its links undestroyed (they would go with it
  // anyway: the kernel detaches a closed link; this keeps the exit status 0).
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  sigprocmask(SIG_BLOCK, &stop, nullptr);

  // The same data path the agent would take: HUGIN_DATA_PATH (auto, syscalls, sockets).
  hugin::DataPath path = hugin::DataPath::kAuto;
  if (const char* p = std::getenv("HUGIN_DATA_PATH")) {
    const auto parsed = hugin::ParseDataPath(p);
    if (!parsed) {
      std::fprintf(stderr, "hook_floor: HUGIN_DATA_PATH=%s: expected auto, syscalls or sockets\n", p);
      return 2;
    }
    path = *parsed;
  }
  auto floor = hugin::harness::HookFloor::Attach(path);
  if (!floor) {
    std::fprintf(stderr, "%s\n", floor.error().message.c_str());
    return 1;
  }
  std::string names;
  for (const auto& n : (*floor)->attached()) names += (names.empty() ? "" : ", ") + n;
  for (const auto& s : (*floor)->skipped()) std::fprintf(stderr, "hook_floor: left out %s\n", s.c_str());
  std::fprintf(stderr, "hook_floor: ready: %zu programs attached (%s), data path %s\n",
               (*floor)->attached().size(), names.c_str(),
               hugin::DataPathName((*floor)->data_path()));
  int sig = 0;
  sigwait(&stop, &sig);
  floor->reset();
  std::fprintf(stderr, "hook_floor: detached on %s\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
  return 0;
}
