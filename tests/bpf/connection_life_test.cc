// A connection's life as the kernel side tells it, on real sockets, on both data paths: the
// socket path (bpf/progs/sock_io.bpf.c) has no accept(), connect() or close() to go by, so
// what those gave the syscall path must come out the same from the socket's byte counters,
// its state changes and its end. This target runs the socket path on kernels that have it; the
// _syscall_path twin runs the other.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/events/event.h"
#include "core/loader/loader.h"
#include "tests/bpf/bpf_testing.h"

namespace hugin {
namespace {

const std::string kReq = "GET /life HTTP/1.1\r\n\r\n";  // 22 bytes
constexpr int kQueueMs = 30;

void Sleep(int ms) {
  timespec t{0, ms * 1000000L};
  nanosleep(&t, nullptr);
}

int Accept(int ls) { return accept4(ls, nullptr, nullptr, 0); }

int ConnectTo(const sockaddr_in& a) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (connect(fd, reinterpret_cast<const sockaddr*>(&a), sizeof(a)) != 0) _exit(4);
  return fd;
}

// Sends kReq on `cl` and reads it on `sv`, after it sat unread for `queue_ms`.
void Exchange(int cl, int sv, int queue_ms = 0) {
  char buf[256];
  if (write(cl, kReq.data(), kReq.size()) != static_cast<ssize_t>(kReq.size())) _exit(5);
  if (queue_ms) Sleep(queue_ms);
  if (!testing_bpf::ReadFull(sv, buf, kReq.size())) _exit(6);
}

struct Watched {
  std::unique_ptr<BpfLoader> loader;
  pid_t pid = 0;
  testing_bpf::Seen seen;
};

// Forks `child`, watches it, lets it run to its end, and drains what the kernel wrote.
// `before_watch` runs in the child before it is watched.
void RunWatched(Watched& w, void (*before_watch)(int*), void (*child)(int*)) {
  auto started = testing_bpf::StartLoader(LoaderOptions{256, 1u << 20, false});
  ASSERT_TRUE(started.ok()) << started.error().message;
  w.loader = std::move(started).value();
  int go[2], ready[2];
  ASSERT_EQ(pipe(go), 0);
  ASSERT_EQ(pipe(ready), 0);
  w.pid = fork();
  if (w.pid == 0) {
    int fds[8] = {-1, -1, -1, -1, -1, -1, -1, -1};
    if (before_watch) before_watch(fds);
    char c = 'r';
    if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) != 1) _exit(3);
    child(fds);
    _exit(0);
  }
  char c;
  ASSERT_EQ(read(ready[0], &c, 1), 1);
  ASSERT_TRUE(w.loader->WatchPid(w.pid));
  ASSERT_EQ(write(go[1], "x", 1), 1);
  int status = 0;
  waitpid(w.pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0) << "3: pipe; 4: connect; 5: write; 6: read; 7: fd; 8: sendfile";
  testing_bpf::Drain(*w.loader, w.seen);
}

// The server closes its end while the client keeps its own open (the server's socket then
// waits in FIN_WAIT2, its end not reached), and the next accepted connection gets the same fd.
void ChildReusesAnFd(int*) {
  sockaddr_in a{};
  const int ls = testing_bpf::LoopbackListener(4, &a);
  const int cl1 = ConnectTo(a);
  const int sv1 = Accept(ls);
  Exchange(cl1, sv1);
  const int cl2 = socket(AF_INET, SOCK_STREAM, 0);  // before the close: it must not take sv1's fd
  close(sv1);
  if (connect(cl2, reinterpret_cast<const sockaddr*>(&a), sizeof(a)) != 0) _exit(4);
  const int sv2 = Accept(ls);
  if (sv2 != sv1) _exit(7);
  Exchange(cl2, sv2);
  Exchange(cl2, sv2);
  (void)cl1;
}

TEST(ConnectionLife, AnFdReusedBeforeItsOldSocketEndsIsANewConnection) {
  Watched w;
  ASSERT_NO_FATAL_FAILURE(RunWatched(w, nullptr, ChildReusesAnFd));
  std::map<int32_t, std::vector<events::OpenEvent>> opens;  // fd -> its opens, in order
  for (const auto& o : w.seen.opens) opens[o.c.conn.fd].push_back(o);
  // The server fd: two connections, both seen from their start.
  int32_t sv = -1;
  for (const auto& [fd, list] : opens)
    if (list.size() == 2) sv = fd;
  ASSERT_GE(sv, 0) << "no fd with two connections";
  const auto& first = opens[sv][0];
  const auto& second = opens[sv][1];
  EXPECT_EQ(first.c.role, HG_ROLE_SERVER);
  EXPECT_EQ(second.c.role, HG_ROLE_SERVER);
  EXPECT_NE(first.c.conn.generation, second.c.conn.generation);
  EXPECT_NE(first.addr.remote_port, second.addr.remote_port);
  // The first connection ended, with its bytes, before the second began.
  std::vector<events::CloseEvent> ended;
  for (const auto& c : w.seen.closes)
    if (c.c.conn.fd == sv) ended.push_back(c);
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_EQ(ended[0].c.conn.generation, first.c.conn.generation);
  EXPECT_EQ(ended[0].bytes[HG_INGRESS], kReq.size());
  EXPECT_LE(ended[0].c.ts_ns, second.c.ts_ns);
  // Each read belongs to its own connection, positions from each one's start.
  std::vector<std::pair<uint64_t, uint64_t>> reads;  // (generation, pos)
  for (const auto& d : w.seen.data)
    if (d.c.conn.fd == sv && d.dir == HG_INGRESS) reads.push_back({d.c.conn.generation, d.pos});
  EXPECT_EQ(reads, (std::vector<std::pair<uint64_t, uint64_t>>{
                       {first.c.conn.generation, 0},
                       {second.c.conn.generation, 0},
                       {second.c.conn.generation, kReq.size()}}));
}

// A socket that outlives its fd: dup()ed, the original fd closed and taken by the next accepted
// connection, the old socket read again through the dup, then closed. On the socket path a
// connection is its socket: the old one goes on (its records keep its identity, fd and
// generation) until the socket ends, and the fd's new one is apart from it; neither ends the
// other. (Keyed by fd, the old socket's end could delete the new connection's entry: a
// connection flood lost 1-4 exchanges in 100,000 that way.) The syscall path ends a
// connection at close() of its fd, and the dup's read starts another, joined mid-stream.
void ChildOutlivesItsFd(int*) {
  sockaddr_in a{};
  const int ls = testing_bpf::LoopbackListener(4, &a);
  const int cl1 = ConnectTo(a);
  const int sv1 = Accept(ls);
  const int cl2 = socket(AF_INET, SOCK_STREAM, 0);  // before the close: it must not take sv1's fd
  const int dup1 = dup(sv1);
  Exchange(cl1, sv1);
  close(sv1);  // the socket lives on through dup1
  if (connect(cl2, reinterpret_cast<const sockaddr*>(&a), sizeof(a)) != 0) _exit(4);
  const int sv2 = Accept(ls);
  if (sv2 != sv1) _exit(7);
  Exchange(cl2, sv2);
  Exchange(cl1, dup1);  // the old socket, through its dup
  close(dup1);          // its end
  Exchange(cl2, sv2);
}

TEST(ConnectionLife, ASocketThatOutlivesItsFdIsNeitherEndedNorEndingByItsFdsNextConnection) {
  Watched w;
  ASSERT_NO_FATAL_FAILURE(RunWatched(w, nullptr, ChildOutlivesItsFd));
  std::map<int32_t, std::vector<events::OpenEvent>> opens;  // fd -> its opens, in order
  for (const auto& o : w.seen.opens) opens[o.c.conn.fd].push_back(o);
  int32_t sv = -1;
  for (const auto& [fd, list] : opens)
    if (list.size() >= 2 && list[0].c.role == HG_ROLE_SERVER) sv = fd;
  ASSERT_GE(sv, 0) << "no server fd with two connections";
  const uint64_t old_gen = opens[sv][0].c.conn.generation;
  const uint64_t new_gen = opens[sv][1].c.conn.generation;
  ASSERT_EQ(opens[sv].size(), 2u);
  EXPECT_EQ(opens[sv][1].c.role, HG_ROLE_SERVER);
  std::map<uint64_t, std::vector<uint64_t>> reads;  // generation -> ingress positions
  std::map<uint64_t, uint64_t> last_read_ns;
  for (const auto& d : w.seen.data)
    if (d.dir == HG_INGRESS && d.c.role != HG_ROLE_CLIENT) {
      reads[d.c.conn.generation].push_back(d.pos);
      last_read_ns[d.c.conn.generation] = d.c.ts_ns;
    }
  std::map<uint64_t, events::CloseEvent> closes;
  for (const auto& c : w.seen.closes) closes[c.c.conn.generation] = c;
  const uint64_t n = kReq.size();
  EXPECT_EQ(reads[new_gen], (std::vector<uint64_t>{0, n}));
  ASSERT_TRUE(closes.count(old_gen));
  if (w.loader->data_path() == DataPath::kSockets) {
    EXPECT_EQ(reads[old_gen], (std::vector<uint64_t>{0, n})) << "the dup's read left its connection";
    EXPECT_EQ(closes[old_gen].bytes[HG_INGRESS], 2 * n);
    EXPECT_EQ(w.seen.opens.size(), 4u) << "2 server connections, 2 client ones; no other";
    if (closes.count(new_gen))
      EXPECT_GE(closes[new_gen].c.ts_ns, last_read_ns[new_gen]) << "ended by the old socket's end";
  } else {
    EXPECT_EQ(reads[old_gen], (std::vector<uint64_t>{0}));
    EXPECT_EQ(closes[old_gen].bytes[HG_INGRESS], n);
    int joined = 0;  // the dup's read: a connection of its own, joined mid-stream
    for (const auto& o : w.seen.opens) joined += o.c.role == HG_ROLE_UNKNOWN;
    EXPECT_EQ(joined, 1);
  }
}

// The peer resets the connection after the server read its request; the server closes its end
// kPauseMs later. The connection ends at that close, not at the reset: the application could
// still have been inside a call on it.
constexpr int kPauseMs = 50;
void ChildPeerResets(int*) {
  sockaddr_in a{};
  const int ls = testing_bpf::LoopbackListener(4, &a);
  const int cl = ConnectTo(a);
  const int sv = Accept(ls);
  Exchange(cl, sv);
  linger hard{1, 0};
  setsockopt(cl, SOL_SOCKET, SO_LINGER, &hard, sizeof(hard));
  close(cl);  // RST
  Sleep(kPauseMs);
  close(sv);
}

TEST(ConnectionLife, APeerResetEndsTheConnectionAtTheApplicationsClose) {
  Watched w;
  ASSERT_NO_FATAL_FAILURE(RunWatched(w, nullptr, ChildPeerResets));
  int32_t sv = -1;
  for (const auto& o : w.seen.opens)
    if (o.c.role == HG_ROLE_SERVER) sv = o.c.conn.fd;
  ASSERT_GE(sv, 0);
  uint64_t read_ns = 0;
  for (const auto& d : w.seen.data)
    if (d.c.conn.fd == sv && d.dir == HG_INGRESS) read_ns = d.c.ts_ns;
  ASSERT_GT(read_ns, 0u);
  std::vector<events::CloseEvent> ended;
  for (const auto& c : w.seen.closes)
    if (c.c.conn.fd == sv) ended.push_back(c);
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_EQ(ended[0].bytes[HG_INGRESS], kReq.size());
  EXPECT_GE(ended[0].c.ts_ns - read_ns, uint64_t(kPauseMs - 1) * 1000000)
      << "ended at the reset, not at close()";
}

// A client that shuts down its sending side still reads the answer on the same connection.
void ChildHalfCloses(int*) {
  sockaddr_in a{};
  const int ls = testing_bpf::LoopbackListener(4, &a);
  const int cl = ConnectTo(a);
  const int sv = Accept(ls);
  Exchange(cl, sv);
  shutdown(cl, SHUT_WR);
  Exchange(sv, cl);  // the answer, after the client's FIN
  close(sv);
  close(cl);
}

TEST(ConnectionLife, AHalfCloseDoesNotEndTheConnection) {
  Watched w;
  ASSERT_NO_FATAL_FAILURE(RunWatched(w, nullptr, ChildHalfCloses));
  int32_t cl = -1;
  uint64_t generation = 0;
  for (const auto& o : w.seen.opens)
    if (o.c.role == HG_ROLE_CLIENT) cl = o.c.conn.fd, generation = o.c.conn.generation;
  ASSERT_GE(cl, 0);
  EXPECT_EQ(w.seen.opens.size(), 2u) << "the half-closed connection was opened again";
  std::vector<std::pair<uint8_t, uint64_t>> calls;  // (dir, generation) of the client's calls
  for (const auto& d : w.seen.data)
    if (d.c.conn.fd == cl) calls.push_back({d.dir, d.c.conn.generation});
  EXPECT_EQ(calls, (std::vector<std::pair<uint8_t, uint64_t>>{{HG_EGRESS, generation},
                                                               {HG_INGRESS, generation}}));
  size_t ends = 0;
  for (const auto& c : w.seen.closes)
    if (c.c.conn.fd == cl) {
      ends++;
      EXPECT_EQ(c.bytes[HG_INGRESS], kReq.size());
      EXPECT_EQ(c.bytes[HG_EGRESS], kReq.size());
    }
  EXPECT_EQ(ends, 1u);
}

// A connection that moved bytes before the process was watched is joined mid-stream.
void ChildPairBeforeWatch(int* fds) {
  sockaddr_in a{};
  fds[0] = testing_bpf::LoopbackListener(4, &a);
  fds[1] = ConnectTo(a);
  fds[2] = Accept(fds[0]);
  Exchange(fds[1], fds[2]);  // unwatched
}
void ChildUsesTheOldPair(int* fds) { Exchange(fds[1], fds[2]); }

TEST(ConnectionLife, AConnectionUsedBeforeTheWatchHasNoRole) {
  Watched w;
  ASSERT_NO_FATAL_FAILURE(RunWatched(w, ChildPairBeforeWatch, ChildUsesTheOldPair));
  ASSERT_EQ(w.seen.opens.size(), 2u);
  for (const auto& o : w.seen.opens) {
    SCOPED_TRACE("fd " + std::to_string(o.c.conn.fd));
    EXPECT_EQ(o.c.role, HG_ROLE_UNKNOWN);
  }
  ASSERT_EQ(w.seen.data.size(), 2u);
  for (const auto& d : w.seen.data) EXPECT_EQ(d.len, kReq.size());
}

// sendfile() to a socket: not one of the data syscalls. The socket path sees it and counts it;
// the syscall path does not see it. Neither records it, and the client's read of it is recorded.
void ChildSendfile(int*) {
  sockaddr_in a{};
  const int ls = testing_bpf::LoopbackListener(4, &a);
  const int cl = ConnectTo(a);
  const int sv = Accept(ls);
  char path[] = "/tmp/hugin-sendfile-XXXXXX";
  const int f = mkstemp(path);
  if (f < 0 || write(f, kReq.data(), kReq.size()) != static_cast<ssize_t>(kReq.size())) _exit(8);
  unlink(path);
  off_t off = 0;
  if (sendfile(sv, f, &off, kReq.size()) != static_cast<ssize_t>(kReq.size())) _exit(8);
  char buf[64];
  if (!testing_bpf::ReadFull(cl, buf, kReq.size())) _exit(6);
}

TEST(ConnectionLife, SendfileIsCountedWhereItIsSeen) {
  Watched w;
  ASSERT_NO_FATAL_FAILURE(RunWatched(w, nullptr, ChildSendfile));
  const bool sockets = w.loader->data_path() == DataPath::kSockets;
  EXPECT_EQ(w.loader->Counters()[HG_CNT_SOCKET_CALLS_UNSEEN], sockets ? 1u : 0u);
  ASSERT_EQ(w.seen.data.size(), 1u);
  EXPECT_EQ(w.seen.data[0].dir, HG_INGRESS);
  EXPECT_EQ(w.seen.bytes[0], kReq);
}

// A listener made before the watch: on the socket path its port is learned from its first
// server connection, so only that connection's first request goes without a queue time.
int g_listener = -1;
sockaddr_in g_addr{};
void ChildTwoConnectionsOnAnOldListener(int*) {
  for (int i = 0; i < 2; i++) {
    const int cl = ConnectTo(g_addr);
    const int sv = Accept(g_listener);
    Exchange(cl, sv, kQueueMs);
    Exchange(cl, sv, kQueueMs);
  }
}

TEST(ConnectionLife, QueueTimeOnAListenerOlderThanTheWatch) {
  g_listener = testing_bpf::LoopbackListener(4, &g_addr);  // inherited by the child
  Watched w;
  ASSERT_NO_FATAL_FAILURE(RunWatched(w, nullptr, ChildTwoConnectionsOnAnOldListener));
  close(g_listener);
  // Without the sk_data_ready tracepoint (6.1) no read has a stamp. The oracle is tracefs.
  const bool hook = std::filesystem::exists("/sys/kernel/tracing/events/sock/sk_data_ready");
  const bool sockets = w.loader->data_path() == DataPath::kSockets;
  std::map<int32_t, uint8_t> role;
  for (const auto& o : w.seen.opens) role[o.c.conn.fd] = o.c.role;
  std::vector<int64_t> queue_ms;  // server reads, in order
  for (const auto& d : w.seen.data)
    if (role[d.c.conn.fd] == HG_ROLE_SERVER && d.dir == HG_INGRESS)
      queue_ms.push_back(d.arrival_ns ? int64_t(d.c.ts_ns - d.arrival_ns) / 1000000 : -1);
  ASSERT_EQ(queue_ms.size(), 4u);
  for (size_t i = 0; i < 4; i++) {
    SCOPED_TRACE("read " + std::to_string(i));
    if (!hook || (i == 0 && sockets)) {
      EXPECT_EQ(queue_ms[i], -1) << (hook ? "the port was not known yet" : "no hook, a stamp");
      continue;
    }
    EXPECT_GE(queue_ms[i], kQueueMs - 1) << "-1: no queue time stamp";
    EXPECT_LT(queue_ms[i], kQueueMs + 1000);
  }
}

// auto takes the socket path exactly where the kernel has its tracepoints; the oracle is tracefs.
TEST(ConnectionLife, AutoTakesTheSocketPathWhereTheKernelHasIt) {
  auto started = BpfLoader::Start(LoaderOptions{256, 1u << 20, false});
  ASSERT_TRUE(started.ok()) << started.error().message;
  const std::string ev = "/sys/kernel/tracing/events/";
  const bool has = std::filesystem::exists(ev + "sock/sock_recv_length") &&
                   std::filesystem::exists(ev + "sock/sock_send_length") &&
                   std::filesystem::exists(ev + "sock/inet_sock_set_state") &&
                   std::filesystem::exists(ev + "tcp/tcp_destroy_sock");
  EXPECT_EQ(DataPathName(started.value()->data_path()), std::string(has ? "sockets" : "syscalls"));
  if (!has) {
    LoaderOptions o{256, 1u << 20, false};
    o.data_path = DataPath::kSockets;
    auto refused = BpfLoader::Start(o);
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().message.find("use the syscall data path"), std::string::npos);
  }
}

}  // namespace
}  // namespace hugin
