#include "core/discovery/discovery.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

namespace hugin {
namespace {

const char kTcpText[] =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
    "   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1111 1 0\n"
    "   1: 0100007F:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2222 1 0\n"
    "   2: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 3333 1 0\n"
    "   garbage line\n";

TEST(ListeningInodes, OnlyListenRowsOnSelectedPorts) {
  auto sel = [](uint16_t p) { return p == 8080; };
  auto inodes = Discovery::ListeningInodes(kTcpText, sel);
  EXPECT_EQ(inodes, (std::set<uint64_t>{1111}));  // 3333 is ESTABLISHED, 2222 is port 80
  auto all = Discovery::ListeningInodes(kTcpText, [](uint16_t) { return true; });
  EXPECT_EQ(all, (std::set<uint64_t>{1111, 2222}));
}

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
  Discovery by_name(Selector{nullptr, std::regex("discovery_test$")});
  auto ch = by_name.Rescan();
  ASSERT_FALSE(ch.added.empty());
  bool self = std::any_of(ch.added.begin(), ch.added.end(),
                          [](const ProcessInfo& p) { return p.pid == static_cast<uint32_t>(getpid()); });
  EXPECT_TRUE(self);
  // The agent never selects itself.
  Discovery not_self(Selector{nullptr, std::regex("discovery_test$")}, "/proc", getpid());
  for (auto& p : not_self.Rescan().added) EXPECT_NE(p.pid, static_cast<uint32_t>(getpid()));
  Discovery nothing(Selector{nullptr, std::regex("^/no/such/binary$")});
  EXPECT_TRUE(nothing.Rescan().added.empty());
}

TEST(Discovery, PortAndExecutableMustBothMatch) {
  uint16_t port = 0;
  int fd = ListenOnEphemeralPort(&port);
  ASSERT_GE(fd, 0);
  Discovery wrong_exe(Selector{[port](uint16_t p) { return p == port; }, std::regex("^/nope$")});
  EXPECT_TRUE(wrong_exe.Rescan().added.empty());
  Discovery both(Selector{[port](uint16_t p) { return p == port; }, std::regex("discovery_test")});
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

}  // namespace
}  // namespace hugin
