// Queue time on real sockets: sk_data_ready stamps when a request's bytes became readable, and
// the server's read takes the stamp (arrival_ns). Two server connections are made to share a
// slot of sk_filter (maps.bpf.h), the pre-filter sk_data_ready checks before it looks a socket
// up: both must carry their true queue time, and closing the first (its slot's count goes
// down) must not cost the second its stamp. Without the hook (6.1): no stamps, and said.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/events/event.h"
#include "core/loader/loader.h"
#include "tests/bpf/bpf_testing.h"

namespace hugin {
namespace {

constexpr uint32_t kSlots = 4096;  // HG_SK_FILTER_SLOTS
constexpr int kQueueMs = 30;      // how long each request sits unread

// The slot of the server side of a connection from client port `cport` to `sport`: the
// kernel's skc_portpair holds skc_dport (network order) in its low half, skc_num in its high.
uint32_t ServerSlot(uint16_t sport, uint16_t cport) {
  const uint32_t pp = (uint32_t{sport} << 16) | htons(cport);
  return ((pp * 0x9E3779B1u) >> 16) & (kSlots - 1);
}

// A client socket bound to `port` and connected to `sport`, or -1.
int ConnectFrom(uint16_t port, uint16_t sport) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
    close(fd);
    return -1;
  }
  a.sin_port = htons(sport);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

void Sleep(int ms) {
  timespec t{0, ms * 1000000L};
  nanosleep(&t, nullptr);
}

// The child: a listener, then connections whose server sides share one slot. Each request
// waits kQueueMs unread before the server reads it. Exits 0 when all went as planned.
void Child(int go_fd) {
  char c;
  if (read(go_fd, &c, 1) != 1) _exit(3);
  sockaddr_in a{};
  const int ls = testing_bpf::LoopbackListener(8, &a);
  const uint16_t sport = ntohs(a.sin_port);
  // Two client ports whose server sides land in the same slot.
  std::vector<int> clients, servers;
  int first_slot = -1;
  for (uint32_t p = 20000; p < 60000 && clients.size() < 2; p++) {
    if (first_slot >= 0 && ServerSlot(sport, p) != static_cast<uint32_t>(first_slot)) continue;
    int cl = ConnectFrom(p, sport);
    if (cl < 0) continue;
    clients.push_back(cl);
    servers.push_back(accept4(ls, nullptr, nullptr, 0));
    first_slot = static_cast<int>(ServerSlot(sport, p));
  }
  if (clients.size() != 2) _exit(5);
  char buf[256];
  const std::string req = "GET /q HTTP/1.1\r\n\r\n";
  for (int round = 0; round < 2; round++) {
    for (size_t i = 0; i < 2; i++) {
      write(clients[i], req.data(), req.size());
      Sleep(kQueueMs);
      if (read(servers[i], buf, sizeof(buf)) != static_cast<ssize_t>(req.size())) _exit(6);
    }
  }
  // The slot's owner goes; the other keeps its stamps.
  close(clients[0]);
  close(servers[0]);
  write(clients[1], req.data(), req.size());
  Sleep(kQueueMs);
  if (read(servers[1], buf, sizeof(buf)) != static_cast<ssize_t>(req.size())) _exit(6);
  close(clients[1]);
  close(servers[1]);
  close(ls);
  _exit(0);
}

TEST(QueueTime, StampedForTwoSocketsSharingAFilterSlotAfterOneCloses) {
  auto started = testing_bpf::StartLoader(LoaderOptions{256, 1u << 20, false});
  ASSERT_TRUE(started.ok()) << started.error().message;
  auto loader = std::move(started).value();
  int go[2];
  ASSERT_EQ(pipe(go), 0);
  pid_t pid = fork();
  if (pid == 0) Child(go[0]);
  ASSERT_TRUE(loader->WatchPid(pid));
  ASSERT_EQ(write(go[1], "x", 1), 1);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0) << "5: no two client ports sharing a slot; 6: a read failed";

  std::map<int32_t, uint8_t> role;                    // fd -> role, from the open records
  std::map<int32_t, std::vector<int64_t>> queue_ms;   // server fd -> queue time of each read
  BpfLoader::RecordHandler h = [&](const void* d, size_t n) {
    auto r = events::Decode(d, n);
    ASSERT_TRUE(r.ok()) << r.error().message;
    if (auto* o = std::get_if<events::OpenEvent>(&r.value())) role[o->c.conn.fd] = o->c.role;
    if (auto* x = std::get_if<events::DataEvent>(&r.value())) {
      if (role[x->c.conn.fd] != HG_ROLE_SERVER || x->dir != HG_INGRESS) return;
      queue_ms[x->c.conn.fd].push_back(
          x->arrival_ns ? static_cast<int64_t>(x->c.ts_ns - x->arrival_ns) / 1000000 : -1);
    }
  };
  while (loader->Poll(100, h).value() > 0) {
  }
  // A kernel without the sk_data_ready tracepoint (6.1) has no queue time: the loader says so
  // and no read carries a stamp. The oracle is tracefs, not the loader.
  const bool hook = std::filesystem::exists("/sys/kernel/tracing/events/sock/sk_data_ready");
  bool said = false;
  for (const std::string& d : loader->Degradations())
    said = said || d.find("no queue time") != std::string::npos;
  EXPECT_EQ(said, !hook);
  ASSERT_EQ(queue_ms.size(), 2u);
  std::vector<size_t> reads;
  for (auto& [fd, q] : queue_ms) {
    SCOPED_TRACE("server fd " + std::to_string(fd));
    reads.push_back(q.size());
    for (int64_t ms : q) {
      if (!hook) {
        EXPECT_EQ(ms, -1) << "a stamp without the sk_data_ready hook";
        continue;
      }
      EXPECT_GE(ms, kQueueMs - 1) << "-1: no queue time stamp";
      EXPECT_LT(ms, kQueueMs + 1000);
    }
  }
  std::sort(reads.begin(), reads.end());
  EXPECT_EQ(reads, (std::vector<size_t>{2, 3}));
}

}  // namespace
}  // namespace hugin
