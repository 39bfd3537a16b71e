#include "harness/floor/hook_floor.h"

#include <bpf/libbpf.h>

#include <cstring>

#include "core/loader/btf_tracepoint.h"
#include "harness/floor/hook_floor.skel.h"

namespace hugin::harness {

Result<std::unique_ptr<HookFloor>> HookFloor::Attach(DataPath path) {
  std::unique_ptr<HookFloor> self(new HookFloor());
  const bool socket_hooks = KernelHasSocketDataPath();
  if (path == DataPath::kSockets && !socket_hooks)
    return Error{"hook_floor: this kernel has no socket tracepoints (sock_recv_length, "
                 "sock_send_length, inet_sock_set_state, tcp_destroy_sock)"};
  self->path_ = ResolveDataPath(path, socket_hooks);
  self->skel_ = hook_floor_bpf__open();
  if (!self->skel_)
    return Error{std::string("hook_floor: cannot open the BPF object (") + strerror(errno) + ")",
                 errno};
  bpf_program* prog;
  bpf_object__for_each_program(prog, self->skel_->obj) {
    const std::string name = bpf_program__name(prog);
    const bool syscall_prog = name == "hf_sys_exit" || name == "hf_enter_close";
    const bool socket_prog = name.rfind("hf_sock_", 0) == 0;
    if ((self->path_ == DataPath::kSockets && syscall_prog) ||
        (self->path_ == DataPath::kSyscalls && socket_prog)) {
      bpf_program__set_autoload(prog, false);
      continue;
    }
    const std::string tp = BtfTracepointOf(prog);
    if (!tp.empty() && !KernelHasBtfTracepoint(tp)) {
      bpf_program__set_autoload(prog, false);
      self->skipped_.push_back(std::string(bpf_program__name(prog)) + " (this kernel has no " +
                               tp + " tracepoint)");
    }
  }
  if (int err = hook_floor_bpf__load(self->skel_); err != 0)
    return Error{std::string("hook_floor: loading the programs failed (") + strerror(-err) + ")",
                 -err};
  if (int err = hook_floor_bpf__attach(self->skel_); err != 0)
    return Error{std::string("hook_floor: attaching the programs failed (") + strerror(-err) +
                     "; is tracefs mounted at /sys/kernel/tracing?)",
                 -err};
  bpf_object__for_each_program(prog, self->skel_->obj) {
    if (bpf_program__autoload(prog)) self->attached_.push_back(bpf_program__name(prog));
  }
  return self;
}

HookFloor::~HookFloor() {
  if (skel_) hook_floor_bpf__destroy(skel_);
}

}  // namespace hugin::harness
