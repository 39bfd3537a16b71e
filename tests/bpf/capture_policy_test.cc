// The per-connection capture policy on real syscalls: a forked child opens a
// TCP connection to itself and moves bytes in two rounds; between the rounds
// the test writes policies into map conn_policy, and checks what the kernel
// records in the second round.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <string>
#include <vector>

#include "core/events/event.h"
#include "core/loader/loader.h"
#include "tests/bpf/bpf_testing.h"

namespace hugin {
namespace {

using testing_bpf::Drain;
using testing_bpf::LoopbackPair;
using testing_bpf::ReadFull;
using testing_bpf::Seen;

constexpr size_t kBig = 3000;  // more than the configured payload (512), less than HG_MAX_PAYLOAD

// Round 1: an HTTP request each way. Round 2 (after the parent's go): kBig bytes
// client -> server and kBig bytes server -> client.
void Child(int go1, int done1, int go2) {
  char c;
  if (read(go1, &c, 1) != 1) _exit(3);
  auto [ls, cl, sv] = LoopbackPair();
  char buf[kBig];
  if (write(cl, "GET / HTTP/1.1\r\n\r\n", 18) != 18 || !ReadFull(sv, buf, 18)) _exit(5);
  if (write(done1, "x", 1) != 1 || read(go2, &c, 1) != 1) _exit(6);
  std::string big(kBig, 'b');
  if (write(cl, big.data(), kBig) != static_cast<ssize_t>(kBig) || !ReadFull(sv, buf, kBig))
    _exit(7);
  if (write(sv, big.data(), kBig) != static_cast<ssize_t>(kBig) || !ReadFull(cl, buf, kBig))
    _exit(8);
  close(cl);
  close(sv);
  close(ls);
  _exit(0);
}

// Runs the child; `between` gets the round-1 records and sets policies.
Seen RunRounds(BpfLoader& loader, const std::function<void(const Seen&)>& between) {
  int go1[2], done1[2], go2[2];
  EXPECT_EQ(pipe(go1), 0);
  EXPECT_EQ(pipe(done1), 0);
  EXPECT_EQ(pipe(go2), 0);
  pid_t pid = fork();
  if (pid == 0) Child(go1[0], done1[1], go2[0]);
  EXPECT_TRUE(loader.WatchPid(pid));
  EXPECT_EQ(write(go1[1], "x", 1), 1);
  char c;
  EXPECT_EQ(read(done1[0], &c, 1), 1);
  Seen seen;
  Drain(loader, seen);
  between(seen);
  EXPECT_EQ(write(go2[1], "x", 1), 1);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_EQ(WEXITSTATUS(status), 0);
  Drain(loader, seen);
  return seen;
}

std::unique_ptr<BpfLoader> Load() {
  LoaderOptions o;
  o.payload_bytes = 512;
  o.ringbuf_bytes = 1u << 20;
  o.policy_recheck_ns = 0;  // re-read the policy on every call
  auto started = testing_bpf::StartLoader(o);
  if (!started) {
    const hugin::Error* err = &started.error();
    ADD_FAILURE() << err->message;
    return nullptr;
  }
  return std::move(started).value();
}

const events::OpenEvent* OpenOf(const Seen& s, uint8_t role) {
  for (const auto& o : s.opens)
    if (o.c.role == role) return &o;
  return nullptr;
}

TEST(CapturePolicy, OffStopsDataRecordsAndFullCapturesBeyondThePayloadSize) {
  auto loader = Load();
  ASSERT_NE(loader, nullptr);
  hg_conn_id server{}, client{};
  Seen seen;
  // The callback ASSERTs: a fatal failure there must stop the test, not only the callback.
  ASSERT_NO_FATAL_FAILURE(seen = RunRounds(*loader, [&](const Seen& round1) {
    ASSERT_EQ(round1.opens.size(), 2u);
    ASSERT_EQ(round1.data.size(), 2u);  // the request, written and read
    const events::OpenEvent* s = OpenOf(round1, HG_ROLE_SERVER);
    const events::OpenEvent* c = OpenOf(round1, HG_ROLE_CLIENT);
    ASSERT_TRUE(s && c);
    server = {s->c.conn.tgid, s->c.conn.fd, s->c.conn.generation};
    client = {c->c.conn.tgid, c->c.conn.fd, c->c.conn.generation};
    ASSERT_TRUE(loader->SetCapturePolicy(server, HG_CAPTURE_OFF));
    ASSERT_TRUE(loader->SetCapturePolicy(client, HG_CAPTURE_FULL));
  }));
  ASSERT_EQ(seen.data.size(), 4u);  // round 1: 2; round 2: the client's write and read only
  for (size_t i = 2; i < seen.data.size(); i++) {
    SCOPED_TRACE(i);
    EXPECT_EQ(seen.data[i].c.conn.fd, client.fd);
    EXPECT_EQ(seen.data[i].len, kBig);
    EXPECT_EQ(seen.bytes[i].size(), kBig) << "full capture ignores the 512-byte payload size";
    EXPECT_EQ(seen.bytes[i], std::string(kBig, 'b'));
  }
  // The server's calls were counted, not recorded, and its positions still moved.
  EXPECT_EQ(loader->Counters()[HG_CNT_POLICY_OFF_CALLS], 2u);
  bool saw_server_close = false;
  for (const auto& c : seen.closes)
    if (c.c.conn.fd == server.fd) {
      saw_server_close = true;
      EXPECT_EQ(c.bytes[HG_INGRESS], 18u + kBig);
      EXPECT_EQ(c.bytes[HG_EGRESS], kBig);
    }
  EXPECT_TRUE(saw_server_close);
}

TEST(CapturePolicy, APolicyForAnotherGenerationDoesNotApply) {
  auto loader = Load();
  ASSERT_NE(loader, nullptr);
  Seen seen;
  // The callback ASSERTs: a fatal failure there must stop the test, not only the callback.
  ASSERT_NO_FATAL_FAILURE(seen = RunRounds(*loader, [&](const Seen& round1) {
    const events::OpenEvent* s = OpenOf(round1, HG_ROLE_SERVER);
    ASSERT_NE(s, nullptr);
    // An earlier connection on the same fd number.
    hg_conn_id stale{s->c.conn.tgid, s->c.conn.fd, s->c.conn.generation - 1};
    ASSERT_TRUE(loader->SetCapturePolicy(stale, HG_CAPTURE_OFF));
  }));
  EXPECT_EQ(seen.data.size(), 6u);  // 2 in round 1, 4 in round 2: nothing switched off
  EXPECT_EQ(loader->Counters()[HG_CNT_POLICY_OFF_CALLS], 0u);
  for (size_t i = 2; i < seen.data.size(); i++) EXPECT_EQ(seen.bytes[i].size(), 512u);
}

// An HTTP/2 client: the preface, then one write far larger than a slice.
void H2Child(int go1) {
  char c;
  if (read(go1, &c, 1) != 1) _exit(3);
  auto [ls, cl, sv] = LoopbackPair();
  const std::string preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
  std::string big(10000, 'h');
  for (size_t i = 0; i < big.size(); i++) big[i] = static_cast<char>('a' + i % 26);
  char buf[16384];
  if (write(cl, preface.data(), preface.size()) != 24 || !ReadFull(sv, buf, 24)) _exit(5);
  if (write(cl, big.data(), big.size()) != 10000 || !ReadFull(sv, buf, 10000)) _exit(6);
  close(cl);
  close(sv);
  close(ls);
  _exit(0);
}

TEST(CapturePolicy, TheHttp2PrefaceSwitchesToFullCaptureInSlices) {
  auto loader = Load();
  ASSERT_NE(loader, nullptr);
  int go[2];
  ASSERT_EQ(pipe(go), 0);
  pid_t pid = fork();
  if (pid == 0) H2Child(go[0]);
  ASSERT_TRUE(loader->WatchPid(pid));
  ASSERT_EQ(write(go[1], "x", 1), 1);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_EQ(WEXITSTATUS(status), 0);
  Seen seen;
  Drain(*loader, seen);
  std::string expect(10000, 'h');
  for (size_t i = 0; i < expect.size(); i++) expect[i] = static_cast<char>('a' + i % 26);
  // Both ends saw the preface at position 0: the client writing it, the server reading it.
  for (uint8_t dir : {HG_EGRESS, HG_INGRESS}) {
    SCOPED_TRACE(dir == HG_EGRESS ? "client write" : "server read");
    std::vector<size_t> recs;
    for (size_t i = 0; i < seen.data.size(); i++)
      if (seen.data[i].dir == dir && seen.data[i].pos >= 24) recs.push_back(i);
    // The server may read the 10000 bytes in several calls; together they are contiguous,
    // fully captured, and no record is longer than a slice.
    uint64_t next = 24;
    std::string got;
    for (size_t i : recs) {
      EXPECT_EQ(seen.data[i].pos, next);
      EXPECT_LE(seen.data[i].len, static_cast<uint32_t>(HG_MAX_PAYLOAD));
      EXPECT_EQ(seen.bytes[i].size(), seen.data[i].len);
      next += seen.data[i].len;
      got += seen.bytes[i];
    }
    EXPECT_EQ(next, 24u + 10000);
    EXPECT_EQ(got, expect);
  }
  EXPECT_EQ(loader->Counters()[HG_CNT_PAYLOAD_TRUNCATED], 0u);
}

}  // namespace
}  // namespace hugin
