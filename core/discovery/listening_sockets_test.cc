#include "core/discovery/listening_sockets.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <ostream>
#include <set>

namespace hugin {

void PrintTo(const ListeningSocket& s, std::ostream* os) {
  *os << "{" << (s.family == AF_INET6 ? "AF_INET6" : s.family == AF_INET ? "AF_INET" : "?") << ", port "
      << s.port << ", inode " << s.inode << "}";
}

namespace {

uint64_t InodeOf(int fd) {
  struct stat st {};
  if (fstat(fd, &st) != 0) return 0;
  return st.st_ino;
}

uint16_t LocalPort(int fd) {
  sockaddr_storage a{};
  socklen_t len = sizeof(a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  if (a.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&a)->sin6_port);
  return ntohs(reinterpret_cast<sockaddr_in*>(&a)->sin_port);
}

// A socket of `family` on loopback, on an ephemeral port; listening if asked.
int Bound(int family, bool listening) {
  int fd = socket(family, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  int rc;
  if (family == AF_INET6) {
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_addr = in6addr_loopback;
    rc = bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  } else {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    rc = bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  }
  if (rc != 0 || (listening && listen(fd, 4) != 0)) {
    close(fd);
    return -1;
  }
  return fd;
}

// Real sockets of every kind the dump must tell apart.
struct Sockets {
  int v4 = Bound(AF_INET, true);
  int v6 = Bound(AF_INET6, true);
  int unselected = Bound(AF_INET, true);
  int server = Bound(AF_INET, true);  // listening, with one established connection:
  int client = -1;                    //   the client side
  int accepted = -1;                  //   and the server side (local port = server's port)

  Sockets() {
    client = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(LocalPort(server));
    if (connect(client, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0)
      accepted = accept(server, nullptr, nullptr);
  }
  ~Sockets() {
    for (int fd : {v4, v6, unselected, server, client, accepted})
      if (fd >= 0) close(fd);
  }
  bool ok() const { return v4 >= 0 && v6 >= 0 && unselected >= 0 && server >= 0 && accepted >= 0; }

  // The selection: every port of ours but the unselected listener's; the
  // client's ephemeral port and the accepted socket's port (the server's) are
  // in it, so only the state can keep the connection out.
  std::set<uint16_t> Selected() const {
    return {LocalPort(v4), LocalPort(v6), LocalPort(server), LocalPort(client)};
  }
  std::vector<ListeningSocket> Expected() const {
    std::vector<ListeningSocket> want{{AF_INET, LocalPort(v4), InodeOf(v4)},
                                      {AF_INET6, LocalPort(v6), InodeOf(v6)},
                                      {AF_INET, LocalPort(server), InodeOf(server)}};
    std::sort(want.begin(), want.end());
    return want;
  }
};

std::vector<ListeningSocket> Sorted(std::vector<ListeningSocket> v) {
  std::sort(v.begin(), v.end());
  return v;
}

TEST(ListTcpListeningSockets, ExactlyTheSelectedListenersWithTheirInodes) {
  Sockets s;
  ASSERT_TRUE(s.ok()) << "cannot set up loopback sockets (IPv4 and IPv6)";
  auto selected = s.Selected();
  ASSERT_EQ(selected.size(), 4u);
  ASSERT_FALSE(selected.count(LocalPort(s.unselected)));
  auto got = ListTcpListeningSockets([&](uint16_t p) { return selected.count(p) > 0; });
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ(Sorted(got.value()), s.Expected());
}

TEST(ListTcpListeningSockets, UnfilteredDumpHasEveryListenerAndNoConnection) {
  Sockets s;
  ASSERT_TRUE(s.ok());
  auto got = ListTcpListeningSockets();
  ASSERT_TRUE(got.ok()) << got.error().message;
  std::set<uint64_t> inodes;
  for (const auto& l : got.value()) inodes.insert(l.inode);
  for (int fd : {s.v4, s.v6, s.unselected, s.server}) EXPECT_TRUE(inodes.count(InodeOf(fd))) << fd;
  EXPECT_FALSE(inodes.count(InodeOf(s.client)));
  EXPECT_FALSE(inodes.count(InodeOf(s.accepted)));
}

TEST(ReadProcNetTcp, FallbackAgreesWithNetlink) {
  Sockets s;
  ASSERT_TRUE(s.ok());
  auto selected = s.Selected();
  auto got = ReadProcNetTcp("/proc", [&](uint16_t p) { return selected.count(p) > 0; });
  EXPECT_EQ(Sorted(got), s.Expected());
  EXPECT_TRUE(ReadProcNetTcp("/nonexistent-proc").empty());
}

const char kTcpText[] =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
    "   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1111 1 0\n"
    "   1: 0100007F:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2222 1 0\n"
    "   2: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 3333 1 0\n"
    "   garbage line\n";

const char kTcp6Text[] =
    "  sl  local_address                         remote_address                        st tx_queue "
    "rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
    "   0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A "
    "00000000:00000000 00:00000000 00000000     0        0 4444 1 0\n";

TEST(ParseProcNetTcp, OnlyListenRowsOnSelectedPorts) {
  auto sel = [](uint16_t p) { return p == 8080; };
  // 3333 is ESTABLISHED, 2222 is port 80.
  EXPECT_EQ(ParseProcNetTcp(kTcpText, AF_INET, sel),
            (std::vector<ListeningSocket>{{AF_INET, 8080, 1111}}));
  EXPECT_EQ(ParseProcNetTcp(kTcpText, AF_INET),
            (std::vector<ListeningSocket>{{AF_INET, 8080, 1111}, {AF_INET, 80, 2222}}));
  EXPECT_EQ(ParseProcNetTcp(kTcp6Text, AF_INET6, sel),
            (std::vector<ListeningSocket>{{AF_INET6, 8080, 4444}}));
  EXPECT_TRUE(ParseProcNetTcp("", AF_INET).empty());
}

}  // namespace
}  // namespace hugin
