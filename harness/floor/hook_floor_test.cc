// The hook_floor binary for real: its programs are attached to the hooks it names and run
// there (run counts from the kernel's BPF stats move with this test's own syscalls, closes,
// process exits and loopback data), and SIGTERM detaches them all with exit status 0.
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "harness/collect/measure.h"
#include "harness/util/process.h"

namespace hugin::harness {
namespace {

using namespace std::chrono_literals;

std::string HookFloorBinary() {
  return std::string(std::getenv("TEST_SRCDIR")) + "/hugin/harness/floor/hook_floor";
}

std::string Slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// name -> run count of the programs `pid` holds.
std::map<std::string, uint64_t> RunCounts(pid_t pid) {
  std::map<std::string, uint64_t> out;
  for (uint32_t id : OwnedBpfProgramIds(pid)) {
    int fd = bpf_prog_get_fd_by_id(id);
    if (fd < 0) continue;
    bpf_prog_info info{};
    uint32_t len = sizeof(info);
    if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0) out[info.name] = info.run_cnt;
    close(fd);
  }
  return out;
}

// Sends `n` bytes over a fresh loopback TCP connection: sk_data_ready runs on the receiver.
void LoopbackData() {
  int l = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(l, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  socklen_t alen = sizeof(a);
  ASSERT_EQ(getsockname(l, reinterpret_cast<sockaddr*>(&a), &alen), 0);
  ASSERT_EQ(listen(l, 1), 0);
  int c = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_EQ(connect(c, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  int s = accept(l, nullptr, nullptr);
  ASSERT_GE(s, 0);
  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(write(c, "x", 1), 1);
    char b;
    ASSERT_EQ(read(s, &b, 1), 1);
  }
  close(s);
  close(c);
  close(l);
}

class HookFloorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::string(std::getenv("TEST_TMPDIR")) + "/hook_floor";
    std::filesystem::create_directories(dir_);
  }
  std::string dir_;
};

// The floor of one data path: its hooks' programs are attached and run on what this test does.
// This kernel (the development host, 6.18) has every hook of both paths.
void CheckFloorOf(const std::string& path, const std::string& dir) {
  std::filesystem::create_directories(dir);
  // Stats on for this test only: the fd holds them on, closing it restores the sysctl.
  const int stats = bpf_enable_stats(BPF_STATS_RUN_TIME);
  ASSERT_GE(stats, 0) << "bpf_enable_stats: " << strerror(errno);
  ChildProcess floor = ChildProcess::Start({HookFloorBinary()}, dir + "/out", dir + "/err",
                                           {{"HUGIN_DATA_PATH", path}});
  ASSERT_TRUE(floor.WaitForText(dir + "/err", "hook_floor: ready", 30s)) << Slurp(dir + "/err");

  const bool sockets = path == "sockets";
  const std::vector<std::string> names =
      sockets ? std::vector<std::string>{"hf_sock_recv", "hf_sock_send", "hf_sock_state",
                                         "hf_sock_destroy", "hf_process_exit", "hf_data_ready"}
              : std::vector<std::string>{"hf_sys_exit", "hf_enter_close", "hf_process_exit",
                                         "hf_data_ready"};
  const auto before = RunCounts(floor.pid());
  ASSERT_EQ(before.size(), names.size()) << Slurp(dir + "/err");
  for (const std::string& name : names)
    EXPECT_EQ(before.count(name), 1u) << name << " not held by hook_floor";
  EXPECT_NE(Slurp(dir + "/err").find(std::to_string(names.size()) + " programs attached"),
            std::string::npos);
  EXPECT_NE(Slurp(dir + "/err").find("data path " + path), std::string::npos);

  constexpr int kCalls = 1000;
  for (int i = 0; i < kCalls; ++i) close(dup(0));  // a dup and a close: two syscall exits
  for (int i = 0; i < 5; ++i) {
    pid_t p = fork();
    if (p == 0) _exit(0);
    waitpid(p, nullptr, 0);
  }
  LoopbackData();
  const auto after = RunCounts(floor.pid());
  // Every process on the machine runs them: at least this test's own calls, perhaps more.
  const auto ran = [&](const char* name) { return after.at(name) - before.at(name); };
  if (sockets) {
    EXPECT_GE(ran("hf_sock_recv"), 10u);
    EXPECT_GE(ran("hf_sock_send"), 10u);
    EXPECT_GE(ran("hf_sock_state"), 4u);  // at least SYN_SENT, SYN_RECV, 2 x ESTABLISHED
    EXPECT_GE(ran("hf_sock_destroy"), 1u);  // the listener, at least (closed at once)
  } else {
    EXPECT_GE(ran("hf_sys_exit"), 2u * kCalls);
    EXPECT_GE(ran("hf_enter_close"), uint64_t(kCalls));
  }
  EXPECT_GE(ran("hf_process_exit"), 5u);
  EXPECT_GE(ran("hf_data_ready"), 10u);

  std::vector<uint32_t> ids;
  for (uint32_t id : OwnedBpfProgramIds(floor.pid())) ids.push_back(id);
  ASSERT_EQ(ids.size(), names.size());
  EXPECT_EQ(floor.Stop(10s), 0) << Slurp(dir + "/err");
  EXPECT_NE(Slurp(dir + "/err").find("hook_floor: detached on SIGTERM"), std::string::npos);
  // Freed after the last reference goes (RCU): gone within a few seconds.
  int left = 0;
  for (int attempt = 0; attempt < 50; ++attempt) {
    left = 0;
    for (uint32_t id : ids) {
      int fd = bpf_prog_get_fd_by_id(id);
      if (fd >= 0) {
        left++;
        close(fd);
      }
    }
    if (left == 0) break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(left, 0) << "programs still loaded after hook_floor exited";
  close(stats);
}

TEST_F(HookFloorTest, SyscallPathProgramsRunOnTheirHooksAndSigtermDetachesThem) {
  CheckFloorOf("syscalls", dir_ + "-syscalls");
}

TEST_F(HookFloorTest, SocketPathProgramsRunOnTheirHooksAndSigtermDetachesThem) {
  CheckFloorOf("sockets", dir_ + "-sockets");
}

TEST_F(HookFloorTest, ABadDataPathIsAClearErrorAndExit2) {
  ChildProcess floor = ChildProcess::Start({HookFloorBinary()}, dir_ + "/out3", dir_ + "/err3",
                                           {{"HUGIN_DATA_PATH", "kprobes"}});
  const auto code = floor.Wait(10s);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 2);
  EXPECT_NE(Slurp(dir_ + "/err3").find("HUGIN_DATA_PATH=kprobes: expected auto, syscalls or "
                                       "sockets"),
            std::string::npos)
      << Slurp(dir_ + "/err3");
}

TEST_F(HookFloorTest, AnArgumentIsAClearErrorAndExit2) {
  ChildProcess floor = ChildProcess::Start({HookFloorBinary(), "--bogus"}, dir_ + "/out2",
                                           dir_ + "/err2");
  const auto code = floor.Wait(10s);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 2);
  EXPECT_NE(Slurp(dir_ + "/err2").find("hook_floor: takes no arguments, got --bogus"),
            std::string::npos)
      << Slurp(dir_ + "/err2");
}

}  // namespace
}  // namespace hugin::harness
