// Loss on real BPF: a child floods TCP while the test does not read the ring buffer, and every
// record the kernel side could not write must show up, attributed to its connection, in map
// conn_losses. And a payload copy that comes up short is flagged, not counted as a loss.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "core/events/event.h"
#include "core/loader/loader.h"
#include "tests/bpf/bpf_testing.h"

namespace hugin {
namespace {

uint64_t MonoNs() {
  timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return uint64_t(t.tv_sec) * 1000000000 + t.tv_nsec;
}

// What the child did on one socket, as it saw it.
struct FdReport {
  int32_t fd = -1;
  uint16_t lport = 0, rport = 0;
  uint64_t bytes = 0;  // moved by calls that returned > 0
  uint64_t calls = 0;
  uint8_t late = 0;    // opened after the ring buffer was already full
  uint8_t client = 0;  // the connect()ing end
};

struct Pair {
  int cl, sv;
};

Pair Connect(int ls, const sockaddr_in& a) {
  int cl = socket(AF_INET, SOCK_STREAM, 0);
  if (connect(cl, reinterpret_cast<const sockaddr*>(&a), sizeof(a)) != 0) _exit(4);
  return {cl, accept4(ls, nullptr, nullptr, 0)};
}

uint16_t PortOf(int fd, bool peer) {
  sockaddr_in a{};
  socklen_t len = sizeof(a);
  if (peer) getpeername(fd, reinterpret_cast<sockaddr*>(&a), &len);
  else getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  return ntohs(a.sin_port);
}

void WaitGo(int go_fd) {
  char c;
  if (read(go_fd, &c, 1) != 1) _exit(3);  // until the parent watches us
}

// Four connections, then 20 KiB through each: far more than a 4 KiB ring holds. Then one more
// connection, opened when the ring is full, so its open records are lost too.
// Each connection moves a byte each way as it is made (see `add`).
[[noreturn]] void ChildFlood(int go_fd, int report_fd) {
  WaitGo(go_fd);
  sockaddr_in a;
  int ls = testing_bpf::LoopbackListener(16, &a);
  std::map<int, FdReport> reports;
  std::vector<Pair> pairs;
  auto add = [&](bool late) {
    Pair p = Connect(ls, a);
    for (int fd : {p.cl, p.sv})
      reports[fd] = {fd, PortOf(fd, false), PortOf(fd, true), 0, 0, uint8_t(late),
                     uint8_t(fd == p.cl)};
    // One byte each way at once: on the socket data path a connection's open record is written
    // at its first data call, not at connect()/accept() (bpf/progs/sock_io.bpf.c).
    char one = 'h';
    if (write(p.cl, &one, 1) != 1 || read(p.sv, &one, 1) != 1) _exit(5);
    for (int fd : {p.cl, p.sv}) reports[fd].bytes++, reports[fd].calls++;
    pairs.push_back(p);
  };
  char buf[1000];
  std::memset(buf, 'x', sizeof(buf));
  auto exchange = [&](const Pair& p) {
    for (int round = 0; round < 20; round++) {
      ssize_t n = write(p.cl, buf, sizeof(buf));
      if (n <= 0) _exit(5);
      reports[p.cl].bytes += n;
      reports[p.cl].calls++;
      for (ssize_t got = 0; got < n;) {
        ssize_t r = read(p.sv, buf, n - got);
        if (r <= 0) _exit(6);
        got += r;
        reports[p.sv].bytes += r;
        reports[p.sv].calls++;
      }
    }
  };
  for (int i = 0; i < 4; i++) add(false);
  for (const Pair& p : pairs) exchange(p);
  // A 512-byte capture no longer fits, but an open record (88 bytes with the ring's header)
  // still might: fill what is left with the smallest records there are (1-byte writes, 80).
  for (int i = 0; i < 64; i++) {
    if (write(pairs[0].cl, "y", 1) != 1) _exit(5);
    reports[pairs[0].cl].bytes++;
    reports[pairs[0].cl].calls++;
  }
  add(true);
  exchange(pairs.back());
  for (const Pair& p : pairs) {
    close(p.cl);
    close(p.sv);
  }
  close(ls);
  for (auto& [fd, r] : reports)
    if (write(report_fd, &r, sizeof(r)) != sizeof(r)) _exit(7);
  _exit(0);
}

// A read that moves bytes without copying them (MSG_TRUNC on TCP discards them): the kernel
// side cannot read the buffer it was given, so the capture comes up short.
[[noreturn]] void ChildShortCopy(int go_fd, int report_fd) {
  WaitGo(go_fd);
  sockaddr_in a;
  int ls = testing_bpf::LoopbackListener(16, &a);
  Pair p = Connect(ls, a);
  if (write(p.cl, "GET /discarded HTTP/1.1\r\n\r\n", 27) != 27) _exit(5);
  if (recvfrom(p.sv, nullptr, 27, MSG_TRUNC | MSG_WAITALL, nullptr, nullptr) != 27) _exit(6);
  FdReport r{p.sv, 0, 0, 27, 1, 0, 0};
  if (write(report_fd, &r, sizeof(r)) != sizeof(r)) _exit(7);
  _exit(0);
}

struct Delivered {
  std::vector<events::OpenEvent> opens;
  std::vector<events::CloseEvent> closes;
  std::vector<events::DataEvent> data;  // payload views dropped: only the numbers are kept
};

struct ChildRun {
  uint32_t pid = 0;
  uint64_t t0 = 0, t1 = 0;  // CLOCK_MONOTONIC around the child's life
  std::map<int, FdReport> reports;
};

class LossTest : public ::testing::Test {
 protected:
  void StartLoader(uint32_t ringbuf_bytes) {
    auto started = testing_bpf::StartLoader(LoaderOptions{512, ringbuf_bytes, false});
    ASSERT_TRUE(started.ok())
        << started.error().message;
    loader_ = std::move(started).value();
  }

  // Runs `child` to its end without reading the ring buffer meanwhile.
  void RunChild(void (*child)(int, int), ChildRun* run) {
    int go[2], rep[2];
    ASSERT_EQ(pipe(go), 0);
    ASSERT_EQ(pipe(rep), 0);
    run->t0 = MonoNs();
    pid_t pid = fork();
    if (pid == 0) child(go[0], rep[1]);
    run->pid = pid;
    close(rep[1]);
    ASSERT_TRUE(loader_->WatchPid(pid));
    ASSERT_EQ(write(go[1], "x", 1), 1);
    int status = 0;
    waitpid(pid, &status, 0);
    run->t1 = MonoNs();
    ASSERT_TRUE(WIFEXITED(status));
    ASSERT_EQ(WEXITSTATUS(status), 0);
    FdReport r;
    while (read(rep[0], &r, sizeof(r)) == sizeof(r)) run->reports[r.fd] = r;
    close(rep[0]);
    close(go[0]);
    close(go[1]);
  }

  Delivered DrainRing() {
    Delivered out;
    BpfLoader::RecordHandler h = [&](const void* d, size_t n) {
      auto r = events::Decode(d, n);
      ASSERT_TRUE(r.ok()) << r.error().message;
      auto& ev = r.value();
      if (auto* o = std::get_if<events::OpenEvent>(&ev)) out.opens.push_back(*o);
      if (auto* c = std::get_if<events::CloseEvent>(&ev)) out.closes.push_back(*c);
      if (auto* x = std::get_if<events::DataEvent>(&ev)) {
        out.data.push_back(*x);
        out.data.back().payload = {};
      }
    };
    while (loader_->Poll(0, h).value() > 0) {
    }
    return out;
  }

  std::unique_ptr<BpfLoader> loader_;
};

TEST_F(LossTest, EveryRingBufferDropIsAttributedToItsConnection) {
  ASSERT_NO_FATAL_FAILURE(StartLoader(4096));  // the smallest ring the loader accepts
  ChildRun run;
  ASSERT_NO_FATAL_FAILURE(RunChild(ChildFlood, &run));
  ASSERT_EQ(run.reports.size(), 10u);
  const KernelCounters k = loader_->Counters();
  const Delivered delivered = DrainRing();
  const std::vector<ConnLossEntry> losses = loader_->DrainConnLosses();

  ASSERT_GT(k[HG_CNT_DROP_RINGBUF], 100u) << "the flood did not overflow the ring";
  EXPECT_EQ(k[HG_CNT_DROP_CONN_MAP], 0u);
  EXPECT_EQ(k[HG_CNT_LOSS_MAP_FULL], 0u);
  uint64_t attributed = 0;
  for (const auto& e : losses)
    attributed += e.loss.ingress_records + e.loss.egress_records + e.loss.control_records;
  EXPECT_EQ(attributed + k[HG_CNT_LOSS_MAP_FULL], k[HG_CNT_DROP_RINGBUF]);

  std::map<int, uint64_t> generation_of;  // fd -> from its delivered open record
  for (const auto& o : delivered.opens) generation_of[o.c.conn.fd] = o.c.conn.generation;
  std::map<int, const ConnLossEntry*> loss_of;
  for (const auto& e : losses) {
    SCOPED_TRACE("fd " + std::to_string(e.id.fd));
    EXPECT_EQ(e.id.tgid, run.pid);
    ASSERT_TRUE(run.reports.count(e.id.fd)) << "not a socket of the child";
    EXPECT_FALSE(loss_of.count(e.id.fd)) << "two generations of one fd";
    loss_of[e.id.fd] = &e;
  }
  for (const auto& [fd, r] : run.reports) {
    SCOPED_TRACE("fd " + std::to_string(fd) + (r.late ? " (late)" : ""));
    ASSERT_TRUE(loss_of.count(fd)) << "a connection that carried data lost nothing";
    const ConnLossEntry& e = *loss_of[fd];
    EXPECT_EQ(e.loss.lport, r.lport);
    EXPECT_EQ(e.loss.rport, r.rport);
    EXPECT_LE(run.t0, e.loss.first_ns);
    EXPECT_LE(e.loss.first_ns, e.loss.last_ns);
    EXPECT_LE(e.loss.last_ns, run.t1);
    const bool open_delivered = generation_of.count(fd) > 0;
    EXPECT_EQ(open_delivered, !r.late);
    if (open_delivered) {
      EXPECT_EQ(e.id.generation, generation_of[fd]);
    } else {
      EXPECT_LE(run.t0, e.id.generation);  // the generation is the kernel's clock at tracking start
      EXPECT_LE(e.id.generation, e.loss.first_ns);
    }
    // Whether a close record (64 bytes) still fit depends on what the flood left: count.
    uint64_t closes_delivered = 0;
    for (const auto& c : delivered.closes) closes_delivered += c.c.conn.fd == fd;
    EXPECT_EQ(e.loss.control_records, (open_delivered ? 0u : 1u) + (1u - closes_delivered));
    // Delivered and lost together are every call and every byte the child moved.
    uint64_t calls = 0, bytes = 0;
    for (const auto& d : delivered.data)
      if (d.c.conn.fd == fd) {
        EXPECT_EQ(d.c.conn.generation, e.id.generation);
        calls++;
        bytes += d.len;
      }
    EXPECT_EQ(calls + e.loss.ingress_records + e.loss.egress_records, r.calls);
    EXPECT_EQ(bytes + e.loss.bytes, r.bytes);
    // Clients only wrote, servers only read.
    EXPECT_GT(r.client ? e.loss.egress_records : e.loss.ingress_records, 0u);
    EXPECT_EQ(r.client ? e.loss.ingress_records : e.loss.egress_records, 0u);
  }
  std::printf("ringbuf_full %llu over %zu connections; delivered %zu opens, %zu closes, %zu data\n",
              (unsigned long long)k[HG_CNT_DROP_RINGBUF], losses.size(), delivered.opens.size(),
              delivered.closes.size(), delivered.data.size());
  EXPECT_TRUE(loader_->DrainConnLosses().empty()) << "a drain empties the map";
}

TEST_F(LossTest, ShortCopyIsFlaggedAndDeliveredNotDropped) {
  ASSERT_NO_FATAL_FAILURE(StartLoader(1u << 20));
  ChildRun run;
  ASSERT_NO_FATAL_FAILURE(RunChild(ChildShortCopy, &run));
  ASSERT_EQ(run.reports.size(), 1u);
  const int sv = run.reports.begin()->first;
  const Delivered delivered = DrainRing();
  const KernelCounters k = loader_->Counters();
  int flagged = 0;
  for (const auto& d : delivered.data) {
    bool discarded = d.c.conn.fd == sv && d.c.syscall == HG_SYS_RECVFROM;
    EXPECT_EQ(d.short_copy, discarded) << "syscall " << int(d.c.syscall);
    if (discarded) {
      flagged++;
      EXPECT_EQ(d.len, 27u);  // the call's real length: the stream position stays right
    }
  }
  EXPECT_EQ(flagged, 1);
  EXPECT_EQ(k[HG_CNT_PAYLOAD_SHORT_COPY], 1u);
  EXPECT_EQ(k[HG_CNT_DROP_RINGBUF] + k[HG_CNT_DROP_CONN_MAP], 0u);
  EXPECT_TRUE(loader_->DrainConnLosses().empty());
}

}  // namespace
}  // namespace hugin
