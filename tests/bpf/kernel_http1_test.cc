// HTTP/1 exchanges aggregated in the kernel (bpf/http1_agg.bpf.h, cfg_kernel_http1), on real
// syscalls: a forked child plays client and server of one loopback connection with a scripted
// conversation; the test checks what the kernel put in map kernel_series and which records it
// still wrote for the server side (none while it frames the exchanges; the exact bytes, flagged
// HG_FLAG_RESUME, once it hands the connection back).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
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

// One step of the conversation: bytes the client writes (the server reads them whole), then
// the server's answer written in one or more writes (the client reads them whole).
struct Step {
  std::string request;
  std::vector<std::string> response_writes;
  // When set, the request is written (and read by the server) in these parts instead.
  std::vector<std::string> request_parts = {};
};

// Method ids of hugin.h (index in kKnownHttpMethods).
constexpr uint8_t kGet = 2, kHead = 3, kPost = 6;

const std::string kGetHello = "GET /hello HTTP/1.1\r\nHost: a\r\n\r\n";
const std::string kOk5 = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";

[[noreturn]] void Child(int go, const std::vector<Step>& steps) {
  char c;
  if (read(go, &c, 1) != 1) _exit(3);
  auto [ls, cl, sv] = LoopbackPair();
  std::string buf;
  for (const Step& s : steps) {
    const std::vector<std::string> parts =
        s.request_parts.empty() ? std::vector<std::string>{s.request} : s.request_parts;
    for (const std::string& part : parts) {
      buf.resize(part.size() + 1);
      if (write(cl, part.data(), part.size()) != static_cast<ssize_t>(part.size()) ||
          !ReadFull(sv, buf.data(), part.size()))
        _exit(5);
    }
    for (const std::string& w : s.response_writes) {
      buf.resize(w.size() + 1);
      if (write(sv, w.data(), w.size()) != static_cast<ssize_t>(w.size()) ||
          !ReadFull(cl, buf.data(), w.size()))
        _exit(6);
    }
  }
  close(cl);
  close(sv);
  close(ls);
  _exit(0);
}

struct Conversation {
  Seen seen;
  std::vector<KernelSeriesEntry> series;  // the child's
  KernelCounters counters{};
  int server_fd = -1;
  // The server connection's data records.
  std::vector<const events::DataEvent*> server_data;
  std::vector<std::string> server_bytes;
};

std::unique_ptr<BpfLoader> Load(bool kernel_http1) {
  LoaderOptions o;
  o.payload_bytes = 512;
  o.ringbuf_bytes = 1u << 20;
  o.kernel_http1 = kernel_http1;
  auto started = testing_bpf::StartLoader(o);
  if (!started) {
    ADD_FAILURE() << started.error().message;
    return nullptr;
  }
  return std::move(started).value();
}

void Converse(BpfLoader& loader, const std::vector<Step>& steps, Conversation& run) {
  int go[2];
  ASSERT_EQ(pipe(go), 0);
  pid_t pid = fork();
  if (pid == 0) Child(go[0], steps);
  ASSERT_TRUE(loader.WatchPid(pid));
  ASSERT_EQ(write(go[1], "x", 1), 1);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  Drain(loader, run.seen);
  for (const KernelSeriesEntry& e : loader.KernelSeries())
    if (e.key.tgid == static_cast<uint32_t>(pid)) run.series.push_back(e);
  run.counters = loader.Counters();
  for (const auto& o : run.seen.opens)
    if (o.c.role == HG_ROLE_SERVER) run.server_fd = o.c.conn.fd;
  ASSERT_GE(run.server_fd, 0);
  for (size_t i = 0; i < run.seen.data.size(); i++)
    if (run.seen.data[i].c.conn.fd == run.server_fd) {
      run.server_data.push_back(&run.seen.data[i]);
      run.server_bytes.push_back(run.seen.bytes[i]);
    }
}

const hg_kernel_series* Find(const Conversation& r, uint8_t method, uint16_t status) {
  for (const auto& e : r.series)
    if (e.key.method == method && e.key.status == status) return &e.value;
  return nullptr;
}

uint64_t Sum(const __u64* v, size_t n) {
  uint64_t s = 0;
  for (size_t i = 0; i < n; i++) s += v[i];
  return s;
}

TEST(KernelHttp1, FramedExchangesAreAggregatedAndNeverRecorded) {
  auto loader = Load(true);
  ASSERT_NE(loader, nullptr);
  const std::string post = "POST /items HTTP/1.1\r\nHost: a\r\nContent-length:  11\r\n\r\n";
  const std::string big_head = "HTTP/1.1 404 Not Found\r\nCONTENT-LENGTH: 3000\r\n\r\n";
  std::vector<Step> steps = {
      {kGetHello, {kOk5}},
      {kGetHello, {kOk5}},
      {kGetHello, {kOk5}},
      // A body framed by Content-Length (the header name in another case).
      {post + "hello world", {"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"}},
      // HEAD: a Content-Length but no body.
      {"HEAD / HTTP/1.1\r\n\r\n", {"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"}},
      // A response over three writes, its body past HG_HEAD_BYTES.
      {kGetHello, {big_head, std::string(1000, 'x'), std::string(2000, 'y')}},
  };
  Conversation r;
  ASSERT_NO_FATAL_FAILURE(Converse(*loader, steps, r));

  EXPECT_TRUE(r.server_data.empty()) << "a framed exchange writes no record";
  ASSERT_EQ(r.series.size(), 4u);
  for (const auto& e : r.series) {
    EXPECT_EQ(e.key.role, HG_ROLE_SERVER);
    EXPECT_NE(e.key.server_port, 0);
  }
  const hg_kernel_series* get = Find(r, kGet, 200);
  ASSERT_NE(get, nullptr);
  EXPECT_EQ(get->count, 3u);
  EXPECT_EQ(get->response_body_sum, 15u);
  EXPECT_EQ(get->request_body_sum, 0u);
  EXPECT_EQ(get->response_body_buckets[1], 3u);  // 5 bytes: (0, 32]
  EXPECT_EQ(get->request_body_buckets[0], 3u);   // 0 bytes: (-inf, 0]
  EXPECT_EQ(Sum(get->duration_buckets, HG_DURATION_BUCKETS), 3u);
  EXPECT_GT(get->duration_sum_ns, 0u);
  EXPECT_LT(get->duration_sum_ns, 3'000'000'000u);

  const hg_kernel_series* created = Find(r, kPost, 201);
  ASSERT_NE(created, nullptr);
  EXPECT_EQ(created->count, 1u);
  EXPECT_EQ(created->request_body_sum, 11u);
  EXPECT_EQ(created->response_body_sum, 0u);

  const hg_kernel_series* head = Find(r, kHead, 200);
  ASSERT_NE(head, nullptr);
  EXPECT_EQ(head->count, 1u);
  EXPECT_EQ(head->response_body_sum, 0u) << "a HEAD response has no body";

  const hg_kernel_series* missing = Find(r, kGet, 404);
  ASSERT_NE(missing, nullptr);
  EXPECT_EQ(missing->count, 1u);
  EXPECT_EQ(missing->response_body_sum, 3000u);
  EXPECT_EQ(missing->response_body_buckets[8], 1u);  // (2048, 4096]

  EXPECT_EQ(r.counters[HG_CNT_KERNEL_EXCHANGES], 6u);
  EXPECT_EQ(r.counters[HG_CNT_KERNEL_HANDOVERS], 0u);
  EXPECT_EQ(r.counters[HG_CNT_KERNEL_LOST], 0u);
  // The close says the connection was aggregated to its end.
  bool closed = false;
  for (const auto& c : r.seen.closes)
    if (c.c.conn.fd == r.server_fd) closed = true;
  EXPECT_TRUE(closed);
}

TEST(KernelHttp1, AChunkedResponseIsHandedBackWithItsRequestReplayedThenTheKernelTakesOver) {
  auto loader = Load(true);
  ASSERT_NE(loader, nullptr);
  const std::string req2 = "GET /stream?n=2 HTTP/1.1\r\nHost: a\r\n\r\n";
  const std::string chunked =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n";
  std::vector<Step> steps = {{kGetHello, {kOk5}}, {req2, {chunked}}, {kGetHello, {kOk5}},
                             {req2, {chunked}},   {kGetHello, {kOk5}}};
  Conversation r;
  ASSERT_NO_FATAL_FAILURE(Converse(*loader, steps, r));

  // Exchanges 1, 3 and 5 were counted in the kernel...
  const hg_kernel_series* get = Find(r, kGet, 200);
  ASSERT_NE(get, nullptr);
  EXPECT_EQ(get->count, 3u);
  EXPECT_EQ(r.counters[HG_CNT_KERNEL_EXCHANGES], 3u);
  EXPECT_EQ(r.counters[HG_CNT_KERNEL_HANDOVERS], 2u);
  EXPECT_EQ(r.counters[HG_CNT_KERNEL_LOST], 0u);
  // ...2 and 4 came back as records: each request as the record it would have been, flagged,
  // at its true stream position, then its chunked answer, flagged.
  ASSERT_EQ(r.server_data.size(), 4u);
  const uint64_t in_pos[2] = {kGetHello.size(), 2 * kGetHello.size() + req2.size()};
  const uint64_t out_pos[2] = {kOk5.size(), 2 * kOk5.size() + chunked.size()};
  for (int i = 0; i < 2; i++) {
    SCOPED_TRACE(i);
    const events::DataEvent& replay = *r.server_data[2 * i];
    EXPECT_EQ(replay.dir, HG_INGRESS);
    EXPECT_TRUE(replay.resume);
    EXPECT_EQ(replay.pos, in_pos[i]);
    EXPECT_EQ(replay.len, req2.size());
    EXPECT_EQ(r.server_bytes[2 * i], req2);
    const events::DataEvent& resp = *r.server_data[2 * i + 1];
    EXPECT_EQ(resp.dir, HG_EGRESS);
    EXPECT_TRUE(resp.resume);
    EXPECT_EQ(resp.pos, out_pos[i]);
    EXPECT_EQ(r.server_bytes[2 * i + 1], chunked);
  }
}

TEST(KernelHttp1, AChunkedRequestIsRecordedAndTheNextOneAggregated) {
  auto loader = Load(true);
  ASSERT_NE(loader, nullptr);
  const std::string chunked_post =
      "POST /up HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
  const std::string created = "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n";
  std::vector<Step> steps = {{kGetHello, {kOk5}}, {chunked_post, {created}}, {kGetHello, {kOk5}}};
  Conversation r;
  ASSERT_NO_FATAL_FAILURE(Converse(*loader, steps, r));
  const hg_kernel_series* get = Find(r, kGet, 200);
  ASSERT_NE(get, nullptr);
  EXPECT_EQ(get->count, 2u);
  EXPECT_EQ(Find(r, kPost, 201), nullptr) << "the chunked exchange is user space's";
  ASSERT_EQ(r.server_data.size(), 2u);
  EXPECT_TRUE(r.server_data[0]->resume);
  EXPECT_EQ(r.server_data[0]->pos, kGetHello.size());
  EXPECT_EQ(r.server_bytes[0], chunked_post);
  EXPECT_TRUE(r.server_data[1]->resume);
  EXPECT_EQ(r.server_data[1]->pos, kOk5.size());
  EXPECT_EQ(r.server_bytes[1], created);
  EXPECT_EQ(r.counters[HG_CNT_KERNEL_HANDOVERS], 1u);
}

TEST(KernelHttp1, AnInterimAnswerKeepsTheRequestsBodyWithUserSpace) {
  auto loader = Load(true);
  ASSERT_NE(loader, nullptr);
  // Expect: 100-continue: the body comes after the interim answer. It starts like a request
  // line on purpose: the kernel must not take it for one.
  const std::string head =
      "POST /up HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 19\r\n\r\n";
  const std::string body = "GET / HTTP/1.1\r\n\r\n";
  const std::string cont = "HTTP/1.1 100 Continue\r\n\r\n";
  const std::string created = "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n";
  std::vector<Step> steps = {{kGetHello, {kOk5}}, {head, {cont}}, {body, {created}},
                             {kGetHello, {kOk5}}};
  Conversation r;
  ASSERT_NO_FATAL_FAILURE(Converse(*loader, steps, r));
  const hg_kernel_series* get = Find(r, kGet, 200);
  ASSERT_NE(get, nullptr);
  EXPECT_EQ(get->count, 2u);
  EXPECT_EQ(Find(r, kGet, 201), nullptr) << "the body was taken for a request";
  ASSERT_EQ(r.server_data.size(), 4u);  // the replayed head, 100 Continue, the body, 201
  EXPECT_EQ(r.server_bytes[0], head);
  EXPECT_EQ(r.server_bytes[1], cont);
  EXPECT_EQ(r.server_bytes[2], body);
  EXPECT_FALSE(r.server_data[2]->resume);
  EXPECT_EQ(r.server_bytes[3], created);
}

TEST(KernelHttp1, PipeliningHandsTheConnectionBackForGood) {
  auto loader = Load(true);
  ASSERT_NE(loader, nullptr);
  // Two requests in one write: more bytes than the first request's framing.
  std::vector<Step> steps = {{kGetHello, {kOk5}}, {kGetHello + kGetHello, {kOk5 + kOk5}},
                             {kGetHello, {kOk5}}};
  Conversation r;
  ASSERT_NO_FATAL_FAILURE(Converse(*loader, steps, r));
  const hg_kernel_series* get = Find(r, kGet, 200);
  ASSERT_NE(get, nullptr);
  EXPECT_EQ(get->count, 1u) << "after pipelining, the kernel never takes a request again";
  ASSERT_EQ(r.server_data.size(), 4u);
  EXPECT_TRUE(r.server_data[0]->resume);
  EXPECT_EQ(r.server_bytes[0], kGetHello + kGetHello);
  EXPECT_EQ(r.server_bytes[2], kGetHello);
  EXPECT_FALSE(r.server_data[2]->resume);
}

TEST(KernelHttp1, PipeliningFromTheStartIsRecordedUnflagged) {
  auto loader = Load(true);
  ASSERT_NE(loader, nullptr);
  std::vector<Step> steps = {{kGetHello + kGetHello, {kOk5 + kOk5}}};
  Conversation r;
  ASSERT_NO_FATAL_FAILURE(Converse(*loader, steps, r));
  EXPECT_TRUE(r.series.empty());
  ASSERT_EQ(r.server_data.size(), 2u);
  EXPECT_EQ(r.server_data[0]->pos, 0u);
  EXPECT_FALSE(r.server_data[0]->resume) << "nothing was hidden from user space";
  EXPECT_EQ(r.server_bytes[0], kGetHello + kGetHello);
  EXPECT_EQ(r.counters[HG_CNT_KERNEL_HANDOVERS], 0u);
}

TEST(KernelHttp1, ARequestHeadSplitOverReadsIsJoined) {
  auto loader = Load(true);
  ASSERT_NE(loader, nullptr);
  // Go's net/http reads a request's first byte alone when its background read was pending.
  std::vector<Step> steps = {
      {kGetHello, {kOk5}},
      {"", {kOk5}, {"G", kGetHello.substr(1)}},
      {"", {kOk5}, {"GET /hel", "lo HTTP/1.1\r\n", "Host: a\r\n\r\n"}},
  };
  Conversation r;
  ASSERT_NO_FATAL_FAILURE(Converse(*loader, steps, r));
  EXPECT_TRUE(r.server_data.empty());
  const hg_kernel_series* get = Find(r, kGet, 200);
  ASSERT_NE(get, nullptr);
  EXPECT_EQ(get->count, 3u);
  EXPECT_EQ(r.counters[HG_CNT_KERNEL_HANDOVERS], 0u);
}

TEST(KernelHttp1, ASplitHeadItCannotFrameIsReplayedJoined) {
  auto loader = Load(true);
  ASSERT_NE(loader, nullptr);
  const std::string chunked_post =
      "POST /up HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
  const std::string created = "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n";
  std::vector<Step> steps = {
      {kGetHello, {kOk5}},
      {"", {created}, {"P", chunked_post.substr(1)}},
      {kGetHello, {kOk5}},
  };
  Conversation r;
  ASSERT_NO_FATAL_FAILURE(Converse(*loader, steps, r));
  const hg_kernel_series* get = Find(r, kGet, 200);
  ASSERT_NE(get, nullptr);
  EXPECT_EQ(get->count, 2u);
  // The held first byte comes back as the record it would have been, then the rest as read.
  ASSERT_EQ(r.server_data.size(), 3u);
  EXPECT_TRUE(r.server_data[0]->resume);
  EXPECT_EQ(r.server_data[0]->pos, kGetHello.size());
  EXPECT_EQ(r.server_bytes[0], "P");
  EXPECT_FALSE(r.server_data[1]->resume);
  EXPECT_EQ(r.server_data[1]->pos, kGetHello.size() + 1);
  EXPECT_EQ(r.server_bytes[0] + r.server_bytes[1], chunked_post);
  EXPECT_TRUE(r.server_data[2]->resume);
  EXPECT_EQ(r.server_bytes[2], created);
}

TEST(KernelHttp1, RequestsLeftWithoutAWholeAnswerAtCloseAreCounted) {
  auto loader = Load(true);
  ASSERT_NE(loader, nullptr);
  // The second answer stops half way through its body.
  std::vector<Step> steps = {
      {kGetHello, {kOk5}},
      {kGetHello, {"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello"}},
  };
  Conversation r;
  ASSERT_NO_FATAL_FAILURE(Converse(*loader, steps, r));
  const hg_kernel_series* get = Find(r, kGet, 200);
  ASSERT_NE(get, nullptr);
  EXPECT_EQ(get->count, 1u);
  EXPECT_EQ(r.counters[HG_CNT_KERNEL_UNANSWERED], 1u);

  auto loader2 = Load(true);
  ASSERT_NE(loader2, nullptr);
  Conversation r2;
  ASSERT_NO_FATAL_FAILURE(Converse(*loader2, {{kGetHello, {kOk5}}, {kGetHello, {}}}, r2));
  EXPECT_EQ(r2.counters[HG_CNT_KERNEL_UNANSWERED], 1u) << "a request with no answer at all";
  EXPECT_EQ(r2.counters[HG_CNT_KERNEL_EXCHANGES], 1u);
}

TEST(KernelHttp1, NotHttpIsRecordedAsBefore) {
  auto loader = Load(true);
  ASSERT_NE(loader, nullptr);
  std::vector<Step> steps = {{"hello there, not http\r\n\r\n", {"fine\r\n"}}};
  Conversation r;
  ASSERT_NO_FATAL_FAILURE(Converse(*loader, steps, r));
  EXPECT_TRUE(r.series.empty());
  EXPECT_EQ(r.server_data.size(), 2u);
  EXPECT_EQ(r.counters[HG_CNT_KERNEL_EXCHANGES], 0u);
}

TEST(KernelHttp1, OffByDefault) {
  auto loader = Load(false);
  ASSERT_NE(loader, nullptr);
  Conversation r;
  ASSERT_NO_FATAL_FAILURE(Converse(*loader, {{kGetHello, {kOk5}}}, r));
  EXPECT_TRUE(r.series.empty());
  EXPECT_EQ(r.server_data.size(), 2u);
  EXPECT_FALSE(r.server_data[0]->resume);
}

}  // namespace
}  // namespace hugin
