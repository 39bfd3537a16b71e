// FreeLoopbackPort: a port the fixture can bind, outside the kernel's ephemeral range (where a
// concurrent client connection could take it first) and outside the ports the caller reserved.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <stdexcept>
#include <vector>

#include "harness/run/run_arm.h"

namespace hugin::harness {
namespace {

int EphemeralLowForTest() {
  std::ifstream f("/proc/sys/net/ipv4/ip_local_port_range");
  int low = 0;
  f >> low;
  return low;
}

// Listens on 0.0.0.0:port; -1 when the port is taken.
int Hold(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_ANY);
  a.sin_port = htons(static_cast<uint16_t>(port));
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(fd, 1) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

TEST(FreeLoopbackPort, IsBelowTheEphemeralRangeAndBindableOnAllInterfaces) {
  const int ephemeral_low = EphemeralLowForTest();
  ASSERT_GT(ephemeral_low, 11000);
  std::set<int> seen;
  for (int i = 0; i < 50; ++i) {
    const int port = FreeLoopbackPort();
    EXPECT_GE(port, 10000);
    EXPECT_LT(port, ephemeral_low);
    seen.insert(port);
    const int fd = Hold(port);
    EXPECT_GE(fd, 0) << "port " << port << " cannot be bound on all interfaces";
    if (fd >= 0) close(fd);
  }
  EXPECT_GT(seen.size(), 40u) << "ports should be spread, not the same few";
}

TEST(FreePortIn, SkipsPortsInUseAndReservedOnes) {
  // A window of four ports: one in use, two reserved: only the fourth may come back.
  const int base = FreeLoopbackPort();
  int window = -1, held = -1;
  auto free = [](int p) {
    try {
      return FreePortIn(p, p + 1) == p;
    } catch (const std::runtime_error&) {
      return false;
    }
  };
  for (int b = base; b < base + 200 && held < 0; b += 4) {
    bool all_free = true;
    for (int p = b; p < b + 4; ++p) all_free = all_free && free(p);
    if (all_free && (held = Hold(b)) >= 0) window = b;
  }
  ASSERT_GE(held, 0) << "no window of four free ports near " << base;
  for (int i = 0; i < 100; ++i)
    EXPECT_EQ(FreePortIn(window, window + 4, {window + 1, window + 2}), window + 3);
  EXPECT_THROW(FreePortIn(window, window + 3, {window + 1, window + 2}), std::runtime_error);
  close(held);
  EXPECT_NE(FreePortIn(window, window + 4, {window + 1, window + 2}), window + 1);
}

}  // namespace
}  // namespace hugin::harness
