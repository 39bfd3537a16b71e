// Child processes the harness starts (fixtures, the agent, load tools, Prometheus): spawned in
// their own process group with stdout/stderr in files, stopped by their own id only.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hugin::harness {

class ChildProcess {
 public:
  ChildProcess() = default;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ~ChildProcess();  // stops the child if still running

  // argv[0] is resolved on PATH. `extra_env` is added to the harness's environment.
  // Throws std::runtime_error when the program cannot be started.
  // `cpus` (e.g. {0}): the CPUs the child may run on (sched_setaffinity before exec); empty
  // keeps the harness's own affinity.
  static ChildProcess Start(const std::vector<std::string>& argv, const std::string& stdout_path,
                            const std::string& stderr_path,
                            const std::map<std::string, std::string>& extra_env = {},
                            const std::vector<int>& cpus = {});

  pid_t pid() const { return pid_; }
  bool Running();
  // Polls `path` until it contains `text`; false on timeout or when the child exits first.
  bool WaitForText(const std::string& path, const std::string& text,
                   std::chrono::milliseconds timeout);
  // Waits for exit; nullopt on timeout. Returns the exit code (128+signal when killed).
  std::optional<int> Wait(std::chrono::milliseconds timeout);
  // SIGTERM to the child's process group, then SIGKILL after `grace`. Returns the exit code.
  int Stop(std::chrono::milliseconds grace = std::chrono::milliseconds(5000));
  // User + system CPU of the child (with its reaped descendants) in microseconds, known once it
  // has exited and been waited for.
  std::optional<uint64_t> cpu_us() const { return cpu_us_; }

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
  std::optional<uint64_t> cpu_us_;
};

// Restricts the calling process (and the children it starts later) to `cpus`. False when the
// kernel refuses (e.g. a CPU that does not exist).
bool PinToCpus(const std::vector<int>& cpus);

std::string ReadWholeFile(const std::string& path);
// Runs a command to completion (bounded by `timeout`), returns exit code, output in `out`.
int RunCommand(const std::vector<std::string>& argv, std::string& out,
               std::chrono::milliseconds timeout);

}  // namespace hugin::harness
