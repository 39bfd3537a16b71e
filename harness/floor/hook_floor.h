// Empty BPF programs on every hook Hugin attaches for all processes (hook_floor.bpf.c): the
// part of Hugin's kernel cost that no work inside its programs can remove. Used by the
// harness's hook_floor arm (through the hook_floor binary) and by
// tests/bpf:syscall_tax_benchmark.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "core/config/data_path.h"

struct hook_floor_bpf;

namespace hugin::harness {

class HookFloor {
 public:
  // Loads and attaches the programs of data path `path` (kAuto: as the agent chooses, sockets
  // when the kernel has their tracepoints). A BTF tracepoint this kernel lacks (sk_data_ready
  // before 6.9; Hugin runs without it there too) is left out and named in skipped().
  static Result<std::unique_ptr<HookFloor>> Attach(DataPath path = DataPath::kAuto);
  DataPath data_path() const { return path_; }  // never kAuto
  ~HookFloor();  // detaches every program
  HookFloor(const HookFloor&) = delete;
  HookFloor& operator=(const HookFloor&) = delete;

  const std::vector<std::string>& attached() const { return attached_; }  // program names
  const std::vector<std::string>& skipped() const { return skipped_; }    // "prog (why)"

 private:
  HookFloor() = default;
  hook_floor_bpf* skel_ = nullptr;
  DataPath path_ = DataPath::kSyscalls;
  std::vector<std::string> attached_, skipped_;
};

}  // namespace hugin::harness
