// OpenSSL's plaintext through the uprobes, on real sockets: a forked child runs a TLS
// client and server over a loopback connection (two threads), with OpenSSL reading the
// socket itself (socket BIO) or fed through memory buffers as Node's TLSWrap does. The
// kernel must send the plaintext of each side in order, at its own positions, flagged
// HG_FLAG_TLS, on the right connection; ciphertext only as one flagged first record.
#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <string>
#include <thread>

#include "core/events/event.h"
#include "core/loader/loader.h"
#include "tests/bpf/bpf_testing.h"
#include "tests/bpf/tls_testing.h"

namespace hugin {
namespace {

using testing_bpf::Drain;
using testing_bpf::LibSslPath;
using testing_bpf::LoopbackPair;
using testing_bpf::Seen;

// Two pipelined requests in one write, and a response per request.
const std::string kRequests =
    "GET /first HTTP/1.1\r\nHost: t\r\n\r\nGET /second HTTP/1.1\r\nHost: t\r\n\r\n";
const std::string kResponse = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
constexpr size_t kServerReadSize = 16;  // small reads: most are served from OpenSSL's buffer

SSL_CTX* ServerContext() {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  testing_bpf::UseSelfSignedCert(ctx, "hugin-test");
  return ctx;
}

// The client side, always on a socket BIO: SSL_write_ex of the requests, SSL_read of
// the responses. Returns false on any failure.
bool RunClient(int fd) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL* ssl = SSL_new(ctx);
  SSL_set_fd(ssl, fd);
  if (SSL_connect(ssl) != 1) return false;
  size_t written = 0;
  if (SSL_write_ex(ssl, kRequests.data(), kRequests.size(), &written) != 1 ||
      written != kRequests.size())
    return false;
  std::string got;
  char buf[256];
  while (got.size() < 2 * kResponse.size()) {
    int n = SSL_read(ssl, buf, sizeof(buf));
    if (n <= 0) return false;
    got.append(buf, n);
  }
  SSL_shutdown(ssl);
  SSL_free(ssl);
  SSL_CTX_free(ctx);
  return got == kResponse + kResponse;
}

// The server reads the requests kServerReadSize bytes at a time, then answers twice.
bool ServeRequests(SSL* ssl, const std::function<void()>& pump_in,
                   const std::function<void()>& pump_out) {
  std::string got;
  char buf[kServerReadSize];
  while (got.size() < kRequests.size()) {
    int n = SSL_read(ssl, buf, sizeof(buf));
    if (n <= 0) {
      if (SSL_get_error(ssl, n) != SSL_ERROR_WANT_READ) return false;
      pump_out();
      pump_in();
      continue;
    }
    got.append(buf, n);
  }
  if (got != kRequests) return false;
  for (int i = 0; i < 2; i++) {
    if (SSL_write(ssl, kResponse.data(), kResponse.size()) != static_cast<int>(kResponse.size()))
      return false;
    pump_out();
  }
  return true;
}

// Socket BIO: OpenSSL reads and writes the socket itself.
bool RunSocketServer(int fd) {
  SSL_CTX* ctx = ServerContext();
  SSL* ssl = SSL_new(ctx);
  SSL_set_fd(ssl, fd);
  if (SSL_accept(ssl) != 1) return false;
  bool ok = ServeRequests(ssl, [] {}, [] {});
  SSL_free(ssl);
  SSL_CTX_free(ctx);
  return ok;
}

// Memory BIOs (Node's TLSWrap): the process reads the socket itself and hands the bytes to
// OpenSSL, and writes out what OpenSSL leaves in its output buffer. No syscall happens
// inside SSL_read or SSL_write.
bool RunMemoryBioServer(int fd) {
  SSL_CTX* ctx = ServerContext();
  SSL* ssl = SSL_new(ctx);
  BIO* in = BIO_new(BIO_s_mem());
  BIO* out = BIO_new(BIO_s_mem());
  SSL_set_bio(ssl, in, out);
  SSL_set_accept_state(ssl);
  auto pump_out = [&] {
    char buf[4096];
    int n;
    while ((n = BIO_read(out, buf, sizeof(buf))) > 0) {
      if (write(fd, buf, n) != n) _exit(21);
    }
  };
  auto pump_in = [&] {
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n <= 0) _exit(22);
    BIO_write(in, buf, static_cast<int>(n));
  };
  while (SSL_do_handshake(ssl) != 1) {
    pump_out();
    pump_in();
  }
  pump_out();
  bool ok = ServeRequests(ssl, pump_in, pump_out);
  SSL_free(ssl);
  SSL_CTX_free(ctx);
  return ok;
}

// A partial write: with SSL_MODE_ENABLE_PARTIAL_WRITE on a non-blocking socket whose send
// buffer fills, SSL_write returns fewer bytes than asked (or WANT_WRITE, retried with the same
// arguments). Each call's plaintext record must cover exactly the bytes that call wrote.
constexpr size_t kBulk = 300000;

std::string BulkBytes() {
  std::string b(kBulk, '\0');
  for (size_t i = 0; i < b.size(); i++) b[i] = static_cast<char>('A' + (i * 7) % 26);
  return b;
}

// Returns the number of SSL_write calls that moved bytes, or -1.
int RunPartialWriter(int fd) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL* ssl = SSL_new(ctx);
  SSL_set_fd(ssl, fd);
  if (SSL_connect(ssl) != 1) return -1;
  SSL_set_mode(ssl, SSL_MODE_ENABLE_PARTIAL_WRITE);
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  const std::string bulk = BulkBytes();
  size_t off = 0;
  int calls = 0;
  while (off < bulk.size()) {
    int n = SSL_write(ssl, bulk.data() + off, static_cast<int>(bulk.size() - off));
    if (n > 0) {
      off += n;
      calls++;
      continue;
    }
    if (SSL_get_error(ssl, n) != SSL_ERROR_WANT_WRITE) return -1;
    pollfd p{fd, POLLOUT, 0};
    poll(&p, 1, 5000);
  }
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  SSL_shutdown(ssl);
  SSL_free(ssl);
  SSL_CTX_free(ctx);
  return calls;
}

bool RunSlowReader(int fd) {
  SSL_CTX* ctx = ServerContext();
  SSL* ssl = SSL_new(ctx);
  SSL_set_fd(ssl, fd);
  if (SSL_accept(ssl) != 1) return false;
  std::string got;
  char buf[4096];
  while (got.size() < kBulk) {
    int n = SSL_read(ssl, buf, sizeof(buf));
    if (n <= 0) return false;
    got.append(buf, n);
    if (got.size() < 64 * 1024) usleep(2000);  // let the writer's send buffer fill first
  }
  SSL_free(ssl);
  SSL_CTX_free(ctx);
  return got == BulkBytes();
}

void PartialWriteChild(int go, int report) {
  char c;
  if (read(go, &c, 1) != 1) _exit(3);
  auto [ls, cl, sv] = LoopbackPair();
  int small = 4096;
  setsockopt(cl, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
  setsockopt(sv, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
  int calls = -1;
  std::thread writer([&] { calls = RunPartialWriter(cl); });
  bool read_ok = RunSlowReader(sv);
  writer.join();
  if (write(report, &calls, sizeof(calls)) != sizeof(calls)) _exit(12);
  close(cl);
  close(sv);
  close(ls);
  _exit(!read_ok ? 10 : calls <= 0 ? 11 : 0);
}

void Child(int go, bool memory_bio) {
  char c;
  if (read(go, &c, 1) != 1) _exit(3);
  auto [ls, cl, sv] = LoopbackPair();
  bool client_ok = false;
  std::thread client([&] { client_ok = RunClient(cl); });
  bool server_ok = memory_bio ? RunMemoryBioServer(sv) : RunSocketServer(sv);
  client.join();
  close(cl);
  close(sv);
  close(ls);
  _exit(!server_ok ? 10 : !client_ok ? 11 : 0);
}

struct Streams {
  std::string text[2];     // plaintext per direction, in position order
  uint64_t next[2] = {0, 0};
  int ciphertext_records = 0;
  int raw_records = 0;     // records of neither kind (must be none after the handshake)
  bool contiguous = true;
};

void RunAndCheck(bool memory_bio) {
  auto started = testing_bpf::StartLoader(LoaderOptions{512, 1u << 20, false});
  ASSERT_TRUE(started.ok()) << started.error().message;
  auto loader = std::move(started).value();
  const std::string libssl = LibSslPath();
  ASSERT_FALSE(libssl.empty()) << "this test links libssl: it must be in /proc/self/maps";
  auto probes = loader->AttachOpenSsl(libssl);
  ASSERT_TRUE(probes.ok()) << probes.error().message;
  EXPECT_EQ(probes->size(), 8u);  // OpenSSL 3: SSL_read/_ex, SSL_write/_ex, entry and return

  int go[2];
  ASSERT_EQ(pipe(go), 0);
  pid_t pid = fork();
  if (pid == 0) Child(go[0], memory_bio);
  ASSERT_TRUE(loader->WatchPid(pid));
  ASSERT_EQ(write(go[1], "x", 1), 1);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0) << "the child's TLS exchange failed";
  Seen seen;
  ASSERT_NO_FATAL_FAILURE(Drain(*loader, seen));

  std::map<int, uint8_t> role_of_fd;
  for (const auto& o : seen.opens) role_of_fd[o.c.conn.fd] = o.c.role;
  ASSERT_EQ(role_of_fd.size(), 2u);
  std::map<uint8_t, Streams> by_role;
  for (size_t i = 0; i < seen.data.size(); i++) {
    const events::DataEvent& d = seen.data[i];
    Streams& s = by_role[role_of_fd[d.c.conn.fd]];
    if (d.ciphertext) {
      s.ciphertext_records++;
    } else if (!d.tls) {
      s.raw_records++;
    } else {
      if (d.pos != s.next[d.dir]) s.contiguous = false;
      s.next[d.dir] = d.pos + d.len;
      EXPECT_EQ(seen.bytes[i].size(), d.len) << "short plaintext records capture whole";
      s.text[d.dir] += seen.bytes[i];
    }
  }
  const std::string responses = kResponse + kResponse;
  for (uint8_t role : {HG_ROLE_SERVER, HG_ROLE_CLIENT}) {
    SCOPED_TRACE(role == HG_ROLE_SERVER ? "server" : "client");
    const Streams& s = by_role[role];
    EXPECT_EQ(s.ciphertext_records, 1) << "one flagged record says the connection is TLS";
    EXPECT_EQ(s.raw_records, 0) << "ciphertext must not reach user space as data";
    EXPECT_TRUE(s.contiguous);
    const uint8_t in = HG_INGRESS, out = HG_EGRESS;
    EXPECT_EQ(s.text[role == HG_ROLE_SERVER ? in : out], kRequests);
    EXPECT_EQ(s.text[role == HG_ROLE_SERVER ? out : in], responses);
  }
  ASSERT_EQ(seen.closes.size(), 2u);
  for (const auto& c : seen.closes) {
    EXPECT_TRUE(c.tls);
    const bool server = role_of_fd[c.c.conn.fd] == HG_ROLE_SERVER;
    EXPECT_EQ(c.tls_bytes[server ? HG_INGRESS : HG_EGRESS], kRequests.size());
    EXPECT_EQ(c.tls_bytes[server ? HG_EGRESS : HG_INGRESS], responses.size());
    EXPECT_GT(c.bytes[HG_INGRESS], c.tls_bytes[HG_INGRESS]) << "ciphertext is longer";
  }
  KernelCounters k = loader->Counters();
  EXPECT_EQ(k[HG_CNT_TLS_NO_CONN], 0u);
  EXPECT_EQ(k[HG_CNT_DROP_RINGBUF], 0u);
  EXPECT_GT(k[HG_CNT_TLS_CIPHERTEXT_CALLS], 0u);
}

TEST(Tls, SocketBioPlaintextOfBothEndsIncludingReadsServedFromTheBuffer) {
  RunAndCheck(/*memory_bio=*/false);
}

TEST(Tls, MemoryBioPlaintextIsTiedToTheSocketTheProcessReadItFrom) {
  RunAndCheck(/*memory_bio=*/true);
}

TEST(Tls, APartialWriteIsRecordedAsTheBytesItWrote) {
  auto started = testing_bpf::StartLoader(LoaderOptions{512, 8u << 20, false});
  ASSERT_TRUE(started.ok()) << started.error().message;
  auto loader = std::move(started).value();
  auto probes = loader->AttachOpenSsl(LibSslPath());
  ASSERT_TRUE(probes.ok()) << probes.error().message;
  int go[2], report[2];
  ASSERT_EQ(pipe(go), 0);
  ASSERT_EQ(pipe(report), 0);
  pid_t pid = fork();
  if (pid == 0) PartialWriteChild(go[0], report[1]);
  ASSERT_TRUE(loader->WatchPid(pid));
  ASSERT_EQ(write(go[1], "x", 1), 1);
  Seen seen;
  int calls = 0;
  ASSERT_EQ(read(report[0], &calls, sizeof(calls)), static_cast<ssize_t>(sizeof(calls)));
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0) << "the child's TLS exchange failed";
  ASSERT_NO_FATAL_FAILURE(Drain(*loader, seen));
  ASSERT_GT(calls, 1) << "the send buffer never filled: no partial write happened";
  int client_fd = -1;
  for (const auto& o : seen.opens)
    if (o.c.role == HG_ROLE_CLIENT) client_fd = o.c.conn.fd;
  ASSERT_GE(client_fd, 0);
  const std::string bulk = BulkBytes();
  int records = 0;
  uint64_t next = 0;
  for (size_t i = 0; i < seen.data.size(); i++) {
    const events::DataEvent& d = seen.data[i];
    if (d.c.conn.fd != client_fd || !d.tls || d.dir != HG_EGRESS) continue;
    records++;
    EXPECT_EQ(d.pos, next);
    // The head of each call is the bytes at its position: the call wrote from there.
    EXPECT_EQ(seen.bytes[i], bulk.substr(d.pos, seen.bytes[i].size()));
    next = d.pos + d.len;
  }
  EXPECT_EQ(records, calls) << "one record per SSL_write that moved bytes, none per retry";
  EXPECT_EQ(next, kBulk);
  EXPECT_EQ(loader->Counters()[HG_CNT_DROP_RINGBUF], 0u);
}

TEST(Tls, AFileWithoutOpenSslIsAClearError) {
  auto started = testing_bpf::StartLoader(LoaderOptions{512, 1u << 20, false});
  ASSERT_TRUE(started.ok()) << started.error().message;
  auto probes = started.value()->AttachOpenSsl("/bin/true");
  ASSERT_FALSE(probes.ok());
  EXPECT_NE(probes.error().message.find("SSL_read"), std::string::npos) << probes.error().message;
  EXPECT_FALSE(started.value()->AttachOpenSsl("/nonexistent/libssl.so.3").ok());
}

}  // namespace
}  // namespace hugin
