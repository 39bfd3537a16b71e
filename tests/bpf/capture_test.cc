// The BPF programs on real syscalls: a forked child talks TCP to itself with
// every traced syscall family; the test loads Hugin's object, watches the
// child, and checks each record the kernel side writes.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include "core/config/capture_limits.h"
#include "core/events/event.h"
#include "core/loader/loader.h"
#include "tests/bpf/bpf_testing.h"

namespace hugin {
namespace {

struct Seen {
  std::vector<events::OpenEvent> opens;
  std::vector<events::CloseEvent> closes;
  struct Data {
    events::DataEvent ev;
    std::string bytes;
  };
  std::vector<Data> data;
};

// The child: a listener, a client, and one exchange per syscall family.
void ChildTalk(int go_fd) {
  char c;
  if (read(go_fd, &c, 1) != 1) _exit(3);  // wait until the parent watches us
  auto [ls, cl, sv] = testing_bpf::LoopbackPair();
  char buf[256];
  // write/read
  write(cl, "GET /a HTTP/1.1\r\n\r\n", 19);
  read(sv, buf, sizeof(buf));
  // writev/readv
  iovec wv[2] = {{(void*)"HTTP/1.1 ", 9}, {(void*)"200 OK\r\n\r\n", 10}};
  writev(sv, wv, 2);
  iovec rv[2] = {{buf, 5}, {buf + 5, 100}};
  readv(cl, rv, 2);
  // sendto/recvfrom
  sendto(cl, "ping", 4, 0, nullptr, 0);
  recvfrom(sv, buf, sizeof(buf), 0, nullptr, nullptr);
  // sendmsg/recvmsg
  iovec mv = {(void*)"pong!", 5};
  msghdr m{};
  m.msg_iov = &mv;
  m.msg_iovlen = 1;
  sendmsg(sv, &m, 0);
  iovec rmv = {buf, sizeof(buf)};
  msghdr rm{};
  rm.msg_iov = &rmv;
  rm.msg_iovlen = 1;
  recvmsg(cl, &rm, 0);
  // a non-socket fd: never reported
  int p[2];
  pipe(p);
  write(p[1], "pipe", 4);
  read(p[0], buf, 4);
  close(cl);
  close(sv);
  close(ls);
  _exit(0);
}

// A request and a response longer than the smallest payload size the
// configuration allows (kMinPayloadBytes), the response read over two iovecs.
const std::string kLongRequest = "GET /a HTTP/1.1\r\nUser-Agent: " + std::string(80, 'u') + "\r\n\r\n";
const std::string kLongResponse = "HTTP/1.1 200 OK\r\nServer: " + std::string(80, 's') + "\r\n\r\n";

void ChildTalkLong(int go_fd) {
  char c;
  if (read(go_fd, &c, 1) != 1) _exit(3);
  auto [ls, cl, sv] = testing_bpf::LoopbackPair();
  char buf[512];
  write(cl, kLongRequest.data(), kLongRequest.size());
  read(sv, buf, sizeof(buf));
  write(sv, kLongResponse.data(), kLongResponse.size());
  iovec rv[2] = {{buf, 5}, {buf + 5, 300}};
  readv(cl, rv, 2);
  close(cl);
  close(sv);
  close(ls);
  _exit(0);
}

class CaptureTest : public ::testing::Test {
 protected:
  void Run(uint32_t payload_bytes, Seen* seen, uint64_t* child_pid,
           void (*child)(int) = ChildTalk, uint8_t probe_stage = HG_STAGE_FULL) {
    LoaderOptions opts{payload_bytes, 1u << 20, false};
    opts.probe_stage = probe_stage;
    auto started = testing_bpf::StartLoader(opts);
    ASSERT_TRUE(started.ok())
        << started.error().message;
    auto loader = std::move(started).value();
    int go[2];
    ASSERT_EQ(pipe(go), 0);
    pid_t pid = fork();
    if (pid == 0) child(go[0]);
    *child_pid = pid;
    ASSERT_TRUE(loader->WatchPid(pid));
    ASSERT_EQ(write(go[1], "x", 1), 1);
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_EQ(WEXITSTATUS(status), 0);
    BpfLoader::RecordHandler h = [&](const void* d, size_t n) {
      auto r = events::Decode(d, n);
      ASSERT_TRUE(r.ok()) << r.error().message;
      auto& ev = r.value();
      if (auto* o = std::get_if<events::OpenEvent>(&ev)) seen->opens.push_back(*o);
      if (auto* c = std::get_if<events::CloseEvent>(&ev)) seen->closes.push_back(*c);
      if (auto* x = std::get_if<events::DataEvent>(&ev))
        seen->data.push_back({*x, std::string(x->payload)});
    };
    while (loader->Poll(100, h).value() > 0) {
    }
    auto counters = loader->Counters();
    EXPECT_EQ(counters[HG_CNT_DROP_RINGBUF], 0u);
    EXPECT_EQ(counters[HG_CNT_EVENTS], seen->opens.size() + seen->closes.size() + seen->data.size());
  }
};

TEST_F(CaptureTest, EverySyscallFamilyOnRealSockets) {
  Seen seen;
  uint64_t pid = 0;
  ASSERT_NO_FATAL_FAILURE(Run(512, &seen, &pid));  // Run ASSERTs: stop here too
  ASSERT_EQ(seen.opens.size(), 2u);  // connect (client) + accept (server)
  int client_fd = -1, server_fd = -1;
  for (auto& o : seen.opens) {
    EXPECT_EQ(o.c.conn.tgid, pid);
    EXPECT_EQ(o.addr.family, AF_INET);
    EXPECT_EQ(events::IpToString(o.addr.family, o.addr.remote_ip), "127.0.0.1");
    if (o.c.role == HG_ROLE_CLIENT) client_fd = o.c.conn.fd;
    if (o.c.role == HG_ROLE_SERVER) server_fd = o.c.conn.fd;
  }
  ASSERT_GE(client_fd, 0);
  ASSERT_GE(server_fd, 0);
  EXPECT_EQ(seen.opens[0].addr.remote_port == seen.opens[1].addr.local_port ||
                seen.opens[1].addr.remote_port == seen.opens[0].addr.local_port,
            true);

  struct Want {
    int fd;
    uint8_t dir, sys;
    uint64_t pos;
    std::string bytes;
  };
  std::vector<Want> want = {
      {client_fd, HG_EGRESS, HG_SYS_WRITE, 0, "GET /a HTTP/1.1\r\n\r\n"},
      {server_fd, HG_INGRESS, HG_SYS_READ, 0, "GET /a HTTP/1.1\r\n\r\n"},
      {server_fd, HG_EGRESS, HG_SYS_WRITEV, 0, "HTTP/1.1 200 OK\r\n\r\n"},
      {client_fd, HG_INGRESS, HG_SYS_READV, 0, "HTTP/1.1 200 OK\r\n\r\n"},
      {client_fd, HG_EGRESS, HG_SYS_SENDTO, 19, "ping"},
      {server_fd, HG_INGRESS, HG_SYS_RECVFROM, 19, "ping"},
      {server_fd, HG_EGRESS, HG_SYS_SENDMSG, 19, "pong!"},
      {client_fd, HG_INGRESS, HG_SYS_RECVMSG, 19, "pong!"},
  };
  ASSERT_EQ(seen.data.size(), want.size()) << "pipe traffic must not be reported";
  for (size_t i = 0; i < want.size(); i++) {
    SCOPED_TRACE(i);
    const auto& d = seen.data[i];
    EXPECT_EQ(d.ev.c.conn.fd, want[i].fd);
    EXPECT_EQ(d.ev.dir, want[i].dir);
    EXPECT_EQ(d.ev.c.syscall, want[i].sys);
    EXPECT_EQ(d.ev.pos, want[i].pos);
    EXPECT_EQ(d.ev.len, want[i].bytes.size());
    EXPECT_EQ(d.bytes, want[i].bytes);
    EXPECT_GT(d.ev.c.ts_ns, 0u);
  }
  ASSERT_EQ(seen.closes.size(), 2u);
  for (auto& c : seen.closes) {
    EXPECT_EQ(c.bytes[HG_INGRESS], 19u + 4 + (c.c.conn.fd == client_fd ? 1 : 0));
  }
}

TEST_F(CaptureTest, PayloadIsTruncatedToConfiguredSize) {
  static_assert(kMinPayloadBytes == 64, "the messages below are sized for a 64-byte payload");
  ASSERT_GT(kLongRequest.size(), kMinPayloadBytes);
  Seen seen;
  uint64_t pid = 0;
  ASSERT_NO_FATAL_FAILURE(Run(kMinPayloadBytes, &seen, &pid, ChildTalkLong));
  ASSERT_FALSE(seen.data.empty());
  EXPECT_EQ(seen.data[0].bytes, kLongRequest.substr(0, kMinPayloadBytes));
  EXPECT_EQ(seen.data[0].ev.len, kLongRequest.size());  // len is the syscall's, not the copy's
  // readv over two iovecs (5 + 300 bytes) stops at the configured 64.
  bool saw_readv = false;
  for (auto& d : seen.data)
    if (d.ev.c.syscall == HG_SYS_READV) {
      saw_readv = true;
      EXPECT_EQ(d.bytes, kLongResponse.substr(0, kMinPayloadBytes));
      EXPECT_EQ(d.ev.len, kLongResponse.size());
    }
  EXPECT_TRUE(saw_readv);
}

// The loader holds its options to the configuration's bounds (core/config/capture_limits.h):
// it once accepted a 1-byte payload and a 2 GiB ring that the configuration refused.
TEST(Loader, RejectsWhatTheConfigurationRejects) {
  for (auto [payload, ring] : std::vector<std::pair<uint32_t, uint32_t>>{
           {0, 1u << 20}, {1, 1u << 20}, {63, 1u << 20}, {4097, 1u << 20},
           {512, 3000}, {512, 2048}, {512, 1u << 31}}) {
    SCOPED_TRACE(std::to_string(payload) + " payload bytes, ring " + std::to_string(ring));
    auto r = testing_bpf::StartLoader(LoaderOptions{payload, ring, false});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, CheckCaptureLimits(payload, ring).error().message);
  }
  // The edges themselves load.
  for (auto [payload, ring] : std::vector<std::pair<uint32_t, uint32_t>>{
           {kMinPayloadBytes, kMinRingbufBytes}, {kMaxPayloadBytes, 1u << 20}}) {
    SCOPED_TRACE(std::to_string(payload) + " payload bytes, ring " + std::to_string(ring));
    auto r = testing_bpf::StartLoader(LoaderOptions{payload, ring, false});
    ASSERT_TRUE(r.ok()) << r.error().message;
  }
}

}  // namespace
}  // namespace hugin

namespace hugin {
namespace {

// The harness's cost ladder (HUGIN_PROBE_STAGE): below HG_STAGE_FULL a data call finds its
// connection and advances its position, then stops: connections still open and close with
// their true byte counts, but no data record is written.
TEST_F(CaptureTest, ProbeStagesStopBeforeRecordingAndKeepPositions) {
  for (uint8_t stage : {uint8_t{HG_STAGE_LOOKUP}, uint8_t{HG_STAGE_HEADS}}) {
    SCOPED_TRACE(int(stage));
    Seen seen;
    uint64_t pid = 0;
    ASSERT_NO_FATAL_FAILURE(Run(512, &seen, &pid, ChildTalk, stage));
    EXPECT_EQ(seen.opens.size(), 2u);
    EXPECT_TRUE(seen.data.empty());
    ASSERT_EQ(seen.closes.size(), 2u);
    for (auto& c : seen.closes) EXPECT_EQ(c.bytes[HG_INGRESS] + c.bytes[HG_EGRESS], 19u + 19 + 4 + 5);
  }
}

TEST(Loader, RejectsAProbeStageThatDoesNotExist) {
  LoaderOptions opts{512, 1u << 20, false};
  opts.probe_stage = HG_STAGE_HEADS + 1;
  auto started = testing_bpf::StartLoader(opts);
  ASSERT_FALSE(started.ok());
  EXPECT_NE(started.error().message.find("probe stage"), std::string::npos);
}

}  // namespace
}  // namespace hugin
