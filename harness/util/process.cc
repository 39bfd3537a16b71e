#include "harness/util/process.h"

#include <fcntl.h>
#include <signal.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace hugin::harness {

bool PinToCpus(const std::vector<int>& cpus) {
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int c : cpus) {
    if (c < 0 || c >= CPU_SETSIZE) return false;
    CPU_SET(c, &set);
  }
  return sched_setaffinity(0, sizeof set, &set) == 0;
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(other.pid_), exit_code_(other.exit_code_), cpu_us_(other.cpu_us_) {
  other.pid_ = -1;
}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    if (pid_ > 0 && !exit_code_) Stop();
    pid_ = other.pid_;
    exit_code_ = other.exit_code_;
    cpu_us_ = other.cpu_us_;
    other.pid_ = -1;
  }
  return *this;
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !exit_code_) Stop();
}

ChildProcess ChildProcess::Start(const std::vector<std::string>& argv,
                                 const std::string& stdout_path, const std::string& stderr_path,
                                 const std::map<std::string, std::string>& extra_env,
                                 const std::vector<int>& cpus) {
  if (argv.empty()) throw std::runtime_error("empty command");
  const int out_fd = open(stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  const int err_fd = open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out_fd < 0 || err_fd < 0) {
    if (out_fd >= 0) close(out_fd);
    if (err_fd >= 0) close(err_fd);
    throw std::runtime_error("cannot create " + stdout_path + " / " + stderr_path);
  }
  // An exec failure is reported through a close-on-exec pipe.
  int status_pipe[2];
  if (pipe2(status_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");

  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    setpgid(0, 0);
    dup2(out_fd, STDOUT_FILENO);
    dup2(err_fd, STDERR_FILENO);
    const int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd >= 0) dup2(null_fd, STDIN_FILENO);
    for (const auto& [k, v] : extra_env) setenv(k.c_str(), v.c_str(), 1);
    if (!cpus.empty() && !PinToCpus(cpus)) {
      const int err = errno;
      (void)!write(status_pipe[1], &err, sizeof err);
      _exit(127);
    }
    execvp(args[0], args.data());
    const int err = errno;
    (void)!write(status_pipe[1], &err, sizeof err);
    _exit(127);
  }
  setpgid(pid, pid);  // both sides, so the group exists before anyone signals it
  close(out_fd);
  close(err_fd);
  close(status_pipe[1]);
  int child_errno = 0;
  const ssize_t n = read(status_pipe[0], &child_errno, sizeof child_errno);
  close(status_pipe[0]);
  if (n == sizeof child_errno) {
    waitpid(pid, nullptr, 0);
    throw std::runtime_error("cannot run " + argv[0] + ": " + std::strerror(child_errno));
  }
  ChildProcess child;
  child.pid_ = pid;
  return child;
}

bool ChildProcess::Running() {
  if (pid_ <= 0 || exit_code_) return false;
  int status = 0;
  rusage usage{};
  const pid_t r = wait4(pid_, &status, WNOHANG, &usage);
  if (r == pid_) {
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    auto us = [](const timeval& t) { return uint64_t(t.tv_sec) * 1000000 + uint64_t(t.tv_usec); };
    cpu_us_ = us(usage.ru_utime) + us(usage.ru_stime);
    return false;
  }
  return r == 0;
}

bool ChildProcess::WaitForText(const std::string& path, const std::string& text,
                               std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (ReadWholeFile(path).find(text) != std::string::npos) return true;
    if (!Running()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

std::optional<int> ChildProcess::Wait(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (Running()) {
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return exit_code_;
}

int ChildProcess::Stop(std::chrono::milliseconds grace) {
  if (pid_ <= 0) return -1;
  if (!Running()) return *exit_code_;
  kill(-pid_, SIGTERM);
  if (auto code = Wait(grace)) return *code;
  kill(-pid_, SIGKILL);
  if (auto code = Wait(std::chrono::milliseconds(2000))) return *code;
  return -1;
}

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int RunCommand(const std::vector<std::string>& argv, std::string& out,
               std::chrono::milliseconds timeout) {
  char tmpl[] = "/tmp/hugin-harness-cmd-XXXXXX";
  const int fd = mkstemp(tmpl);
  if (fd < 0) throw std::runtime_error("mkstemp failed");
  close(fd);
  const std::string path = tmpl;
  int code = -1;
  {
    ChildProcess child = ChildProcess::Start(argv, path, path + ".err");
    auto r = child.Wait(timeout);
    code = r ? *r : child.Stop();
  }
  out = ReadWholeFile(path);
  std::filesystem::remove(path);
  std::filesystem::remove(path + ".err");
  return code;
}

}  // namespace hugin::harness
