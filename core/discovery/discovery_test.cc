#include "core/discovery/discovery.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <variant>

namespace hugin {
namespace {

ExecutableMatcher Re(const std::string& regex) { return ExecutableMatcher::Compile(regex).value(); }

int ListenOnEphemeralPort(uint16_t* port) {
  int fd = socket(AF_INET6, SOCK_STREAM, 0);
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_addr = in6addr_loopback;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0 || listen(fd, 4) != 0) return -1;
  socklen_t len = sizeof(a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  *port = ntohs(a.sin6_port);
  return fd;
}

TEST(Discovery, FindsListenerAndForkedWorkersAndDropsDeadOnes) {
  uint16_t port = 0;
  int fd = ListenOnEphemeralPort(&port);
  ASSERT_GE(fd, 0);
  Discovery d(Selector{[port](uint16_t p) { return p == port; }, std::nullopt});
  auto ch = d.Rescan();
  ASSERT_EQ(ch.added.size(), 1u);
  EXPECT_EQ(ch.added[0].pid, static_cast<uint32_t>(getpid()));
  EXPECT_FALSE(ch.added[0].service_name.empty());

  // A pre-forked worker shares the listening socket: it is found too.
  pid_t child = fork();
  if (child == 0) {
    pause();
    _exit(0);
  }
  ch = d.Rescan();
  ASSERT_EQ(ch.added.size(), 1u);
  EXPECT_EQ(ch.added[0].pid, static_cast<uint32_t>(child));
  EXPECT_EQ(d.current().size(), 2u);
  // ... as a new pid, without looking at every process again.
  EXPECT_EQ(d.stats().full_walks, 1u);
  EXPECT_TRUE(ch.notice.empty());
  EXPECT_FALSE(d.using_proc_net_tcp());

  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  ch = d.Rescan();
  EXPECT_TRUE(ch.added.empty());
  EXPECT_EQ(ch.removed, std::vector<uint32_t>{static_cast<uint32_t>(child)});
  close(fd);
  ch = d.Rescan();
  EXPECT_EQ(ch.removed, std::vector<uint32_t>{static_cast<uint32_t>(getpid())});
}

TEST(Discovery, ByExecutableRegexAndSelf) {
  Discovery by_name(Selector{nullptr, Re("discovery_test$")});
  auto ch = by_name.Rescan();
  ASSERT_FALSE(ch.added.empty());
  bool self = std::any_of(ch.added.begin(), ch.added.end(),
                          [](const ProcessInfo& p) { return p.pid == static_cast<uint32_t>(getpid()); });
  EXPECT_TRUE(self);
  // The agent never selects itself.
  Discovery not_self(Selector{nullptr, Re("discovery_test$")}, "/proc", getpid());
  for (auto& p : not_self.Rescan().added) EXPECT_NE(p.pid, static_cast<uint32_t>(getpid()));
  Discovery nothing(Selector{nullptr, Re("^/no/such/binary$")});
  EXPECT_TRUE(nothing.Rescan().added.empty());
}

TEST(Discovery, PortAndExecutableMustBothMatch) {
  uint16_t port = 0;
  int fd = ListenOnEphemeralPort(&port);
  ASSERT_GE(fd, 0);
  Discovery wrong_exe(Selector{[port](uint16_t p) { return p == port; }, Re("^/nope$")});
  EXPECT_TRUE(wrong_exe.Rescan().added.empty());
  Discovery both(Selector{[port](uint16_t p) { return p == port; }, Re("discovery_test")});
  EXPECT_EQ(both.Rescan().added.size(), 1u);
  close(fd);
}

TEST(ServiceName, BaseNameOfTheExecutable) {
  EXPECT_EQ(ServiceNameOfExecutable("/usr/bin/node"), "node");
  EXPECT_EQ(ServiceNameOfExecutable("/opt/app/server (deleted)"), "server");
  EXPECT_EQ(ServiceNameOfExecutable("server"), "server");
  EXPECT_FALSE(ExecutableOf(getpid()).empty());
  EXPECT_TRUE(ExecutableOf(0x7ffffff0).empty());
}

TEST(Discovery, MissingProcRootYieldsNothing) {
  Discovery d(Selector{[](uint16_t) { return true; }, std::nullopt}, "/nonexistent-proc");
  auto ch = d.Rescan();
  EXPECT_TRUE(ch.added.empty());
  EXPECT_TRUE(ch.removed.empty());
}

TEST(Discovery, FallsBackToProcNetTcpWhenSockDiagFails) {
  uint16_t port = 0;
  int fd = ListenOnEphemeralPort(&port);
  ASSERT_GE(fd, 0);
  int asked = 0;
  auto broken = [&](const PortFilter&) -> Result<std::vector<ListeningSocket>> {
    asked++;
    return Error{"sock_diag: cannot open a NETLINK_SOCK_DIAG socket: Protocol not supported",
                 EPROTONOSUPPORT};
  };
  Discovery d(Selector{[port](uint16_t p) { return p == port; }, std::nullopt}, "/proc", 0, broken);
  auto ch = d.Rescan();
  ASSERT_EQ(ch.added.size(), 1u);
  EXPECT_EQ(ch.added[0].pid, static_cast<uint32_t>(getpid()));
  EXPECT_EQ(ch.notice.rfind("hugin: sock_diag: cannot open", 0), 0u) << ch.notice;
  EXPECT_NE(ch.notice.find("/proc/net/tcp"), std::string::npos) << ch.notice;
  EXPECT_TRUE(d.using_proc_net_tcp());
  // Said once, and sock_diag is not asked again.
  ch = d.Rescan();
  EXPECT_TRUE(ch.notice.empty());
  EXPECT_EQ(asked, 1);
  close(fd);
  ch = d.Rescan();
  EXPECT_EQ(ch.removed, std::vector<uint32_t>{static_cast<uint32_t>(getpid())});
}

// A /proc made of plain directories and symlinks (exe, fd/N -> "socket:[INODE]")
// with a scripted listening-socket list: what each scan reads is exact.
class FakeProc {
 public:
  FakeProc() {
    std::string tmpl = testing::TempDir() + "/fakeproc.XXXXXX";
    root_ = mkdtemp(tmpl.data()) ? tmpl : "";
  }
  ~FakeProc() {
    std::error_code ec;
    if (!root_.empty()) std::filesystem::remove_all(root_, ec);
  }
  const std::string& root() const { return root_; }

  // A process; exe empty = a kernel thread (no exe link).
  void Add(uint32_t pid, const std::string& exe, const std::vector<std::string>& fds) {
    Make(Dir(pid), exe, fds);
  }
  // The pid's process exits and a new one gets the same pid: /proc/PID is a new directory.
  void Reuse(uint32_t pid, const std::string& exe, const std::vector<std::string>& fds) {
    std::string tmp = root_ + "/new";
    Make(tmp, exe, fds);  // allocated while the old one exists: a different inode
    std::filesystem::remove_all(Dir(pid));
    std::filesystem::rename(tmp, Dir(pid));
  }
  void Remove(uint32_t pid) { std::filesystem::remove_all(Dir(pid)); }
  // exec: same directory, new exe, and close-on-exec fds gone.
  void Exec(uint32_t pid, const std::string& exe, const std::vector<std::string>& fds) {
    std::filesystem::remove(Dir(pid) + "/exe");
    std::filesystem::remove_all(Dir(pid) + "/fd");
    Links(Dir(pid), exe, fds);
  }
  void AddFd(uint32_t pid, int n, const std::string& target) {
    std::filesystem::create_symlink(target, Dir(pid) + "/fd/" + std::to_string(n));
  }

  std::vector<ListeningSocket> listening;
  ListeningSocketSource Source() {
    return [this](const PortFilter& sel) -> Result<std::vector<ListeningSocket>> {
      std::vector<ListeningSocket> out;
      for (auto& l : listening)
        if (!sel || sel(l.port)) out.push_back(l);
      return out;
    };
  }

 private:
  std::string Dir(uint32_t pid) const { return root_ + "/" + std::to_string(pid); }
  void Make(const std::string& dir, const std::string& exe, const std::vector<std::string>& fds) {
    std::filesystem::create_directory(dir);
    Links(dir, exe, fds);
  }
  void Links(const std::string& dir, const std::string& exe, const std::vector<std::string>& fds) {
    if (!exe.empty()) std::filesystem::create_symlink(exe, dir + "/exe");
    std::filesystem::create_directory(dir + "/fd");
    for (size_t i = 0; i < fds.size(); i++)
      std::filesystem::create_symlink(fds[i], dir + "/fd/" + std::to_string(i));
  }
  std::string root_;
};

std::vector<uint32_t> Pids(const std::vector<ProcessInfo>& v) {
  std::vector<uint32_t> out;
  for (auto& p : v) out.push_back(p.pid);
  std::sort(out.begin(), out.end());
  return out;
}

TEST(DiscoveryChanges, FdsAreReadOnlyForNewPidsExecAndListeningSetChanges) {
  FakeProc proc;
  ASSERT_FALSE(proc.root().empty());
  proc.listening = {{AF_INET, 8080, 500}, {AF_INET6, 9090, 600}};
  proc.Add(100, "/srv/server", {"/dev/null", "socket:[500]", "socket:[700]"});  // the server
  proc.Add(200, "/usr/bin/other", {"/dev/null", "socket:[600]"});  // listens, on a port not selected
  proc.Add(2, "", {});                                               // a kernel thread
  Discovery d(Selector{[](uint16_t p) { return p == 8080; }, std::nullopt}, proc.root(), 0,
              proc.Source());

  auto ch = d.Rescan();  // first scan: every process
  ASSERT_EQ(Pids(ch.added), (std::vector<uint32_t>{100}));
  EXPECT_EQ(ch.added[0].service_name, "server");
  EXPECT_EQ(d.stats().full_walks, 1u);
  EXPECT_EQ(d.stats().fd_dirs_read, 2u);  // 100 and 200; the kernel thread has no exe

  EXPECT_EQ(d.stats().exe_links_read, 3u);  // 100, 200 and the kernel thread's missing one

  ch = d.Rescan();  // nothing changed: nothing read
  EXPECT_TRUE(ch.added.empty() && ch.removed.empty());
  EXPECT_EQ(d.stats().fd_dirs_read, 2u);
  // Only the watched pid's exe (has it exec'd?); not the kernel thread's, again and again.
  EXPECT_EQ(d.stats().exe_links_read, 4u);

  // A pre-forked server's new worker: a new pid holding the same socket.
  proc.Add(101, "/srv/server", {"socket:[500]"});
  ch = d.Rescan();
  EXPECT_EQ(Pids(ch.added), (std::vector<uint32_t>{101}));
  EXPECT_EQ(d.stats().fd_dirs_read, 3u);  // only 101's
  EXPECT_EQ(d.stats().full_walks, 1u);

  // A new pid that does not hold it is read once, then remembered.
  proc.Add(300, "/bin/sh", {"/dev/null"});
  EXPECT_TRUE(d.Rescan().added.empty());
  EXPECT_EQ(d.stats().fd_dirs_read, 4u);
  EXPECT_TRUE(d.Rescan().added.empty());
  EXPECT_EQ(d.stats().fd_dirs_read, 4u);

  // A watched worker exits: dropped, nothing read.
  proc.Remove(101);
  ch = d.Rescan();
  EXPECT_EQ(ch.removed, std::vector<uint32_t>{101});
  EXPECT_EQ(d.stats().fd_dirs_read, 4u);

  // pid 300 exits and its number goes to a new worker of the server.
  proc.Reuse(300, "/srv/server", {"socket:[500]"});
  ch = d.Rescan();
  EXPECT_EQ(Pids(ch.added), (std::vector<uint32_t>{300}));
  EXPECT_EQ(d.stats().fd_dirs_read, 5u);

  // The worker execs something else; its close-on-exec listening socket is gone.
  proc.Exec(300, "/usr/bin/helper", {"/dev/null"});
  ch = d.Rescan();
  EXPECT_EQ(ch.removed, std::vector<uint32_t>{300});
  EXPECT_EQ(d.stats().fd_dirs_read, 6u);

  // A listener on a port not selected comes and goes: no walk.
  proc.listening = {{AF_INET, 8080, 500}, {AF_INET6, 9090, 601}};
  EXPECT_TRUE(d.Rescan().added.empty());
  EXPECT_EQ(d.stats().full_walks, 1u);
  EXPECT_EQ(d.stats().fd_dirs_read, 6u);

  // A second selected listener (SO_REUSEPORT), held by a process already seen: every pid is
  // looked at again.
  proc.listening.push_back({AF_INET, 8080, 501});
  proc.AddFd(200, 7, "socket:[501]");
  ch = d.Rescan();
  EXPECT_EQ(Pids(ch.added), (std::vector<uint32_t>{200}));
  EXPECT_EQ(d.stats().full_walks, 2u);
  EXPECT_EQ(d.stats().fd_dirs_read, 9u);  // 100, 200, 300

  // Every selected listener closed: everyone dropped, nothing read.
  proc.listening = {{AF_INET6, 9090, 601}};
  ch = d.Rescan();
  std::sort(ch.removed.begin(), ch.removed.end());
  EXPECT_EQ(ch.removed, (std::vector<uint32_t>{100, 200}));
  EXPECT_EQ(d.stats().fd_dirs_read, 9u);
  EXPECT_TRUE(d.current().empty());

  // And back: a full walk again.
  proc.listening = {{AF_INET, 8080, 500}};
  EXPECT_EQ(Pids(d.Rescan().added), (std::vector<uint32_t>{100}));
  EXPECT_EQ(d.stats().full_walks, 3u);
}

TEST(DiscoveryChanges, ExecIntoTheSelectedExecutableIsSeenWithPortAndName) {
  FakeProc proc;
  ASSERT_FALSE(proc.root().empty());
  proc.listening = {{AF_INET, 8080, 500}};
  // A launcher binds the port, then execs the server, keeping the socket.
  proc.Add(400, "/usr/bin/launcher", {"socket:[500]"});
  Discovery d(Selector{[](uint16_t p) { return p == 8080; }, Re("/srv/server$")}, proc.root(),
              0, proc.Source());
  EXPECT_TRUE(d.Rescan().added.empty());
  EXPECT_TRUE(d.Rescan().added.empty());
  uint64_t read = d.stats().fd_dirs_read;
  proc.Exec(400, "/srv/server", {"socket:[500]"});
  auto ch = d.Rescan();
  ASSERT_EQ(Pids(ch.added), (std::vector<uint32_t>{400}));
  EXPECT_EQ(ch.added[0].service_name, "server");
  EXPECT_EQ(d.stats().fd_dirs_read, read + 1);
  EXPECT_EQ(d.stats().full_walks, 1u);
}

}  // namespace
}  // namespace hugin
