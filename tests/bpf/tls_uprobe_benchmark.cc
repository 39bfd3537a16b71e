// What Hugin's OpenSSL uprobes cost per TLS call. One iteration is a client SSL_write of N
// plaintext bytes and the server's SSL_read of them, in this process, over memory BIOs (the
// client's output BIO is the server's input BIO): no socket and no syscall, so the only thing
// the arms change is what happens at the 4 probe hits of a pair (SSL_write and SSL_read, entry
// and return; OpenSSL 3's SSL_write/SSL_read do not go through the _ex symbols, which are
// probed separately and not hit here). Arms:
//   no_agent   no Hugin BPF object loaded;
//   unwatched  the loader started and OpenSSL's uprobes attached to the libssl this process
//              maps, this process not watched: each hit traps into the kernel, runs the BPF
//              program, which returns at its watched() check. The cost every process using
//              that libssl pays;
//   watched    the same with this process watched: entry remembers the call (map tls_threads),
//              return looks up the session's socket. A memory BIO with no socket read before
//              gives none, so both calls of a pair end as HG_CNT_TLS_NO_CONN (no plaintext is
//              recorded; counter no_conn_per_pair shows 2). This is the watched probe path up
//              to the connection lookup, not the cost of copying the plaintext to the ring.
// The loader is started in a forked child (the "agent"), not in this process: the kernel side
// never traces the loader's own process (cfg_self_tgid), and this way the measured loop runs
// with the benchmark library's own timing, in the process that is (or is not) watched, while
// the child drains the ring buffer as the agent would (Poll) and sends the kernel counters
// back when the arm ends. The child sleeps in Poll while the loop runs (no records in any
// arm), so it does not compete for the CPU. The handshake happens before the child starts.
// Per-call probe cost = (arm - no_agent) / 2 per call, or / 4 per probe hit.
//   bazel run -c opt //tests/bpf:tls_uprobe_benchmark -- --benchmark_repetitions=5
//       --benchmark_enable_random_interleaving=true   (root: it loads BPF)
#include <benchmark/benchmark.h>
#include <openssl/bio.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "core/loader/loader.h"
#include "tests/bpf/tls_testing.h"

namespace hugin {
namespace {

enum class Arm { kNoAgent, kUnwatched, kWatched };

// A client and a server SSL over two memory BIOs, handshake done.
class TlsPair {
 public:
  TlsPair() {
    sctx_ = SSL_CTX_new(TLS_server_method());
    cctx_ = SSL_CTX_new(TLS_client_method());
    testing_bpf::UseSelfSignedCert(sctx_, "hugin-bench");
    client_ = SSL_new(cctx_);
    server_ = SSL_new(sctx_);
    BIO* c2s = BIO_new(BIO_s_mem());  // empty: read says retry (mem BIO's default)
    BIO* s2c = BIO_new(BIO_s_mem());
    BIO_up_ref(c2s);  // each BIO is owned by both SSLs
    BIO_up_ref(s2c);
    SSL_set_bio(client_, s2c, c2s);
    SSL_set_bio(server_, c2s, s2c);
    SSL_set_connect_state(client_);
    SSL_set_accept_state(server_);
    for (int i = 0; i < 100 && !ok_; i++) {
      int c = SSL_do_handshake(client_);
      int s = SSL_do_handshake(server_);
      ok_ = c == 1 && s == 1;
    }
  }
  ~TlsPair() {
    SSL_free(client_);
    SSL_free(server_);
    SSL_CTX_free(cctx_);
    SSL_CTX_free(sctx_);
  }
  bool ok() const { return ok_; }
  SSL* client() const { return client_; }
  SSL* server() const { return server_; }

 private:
  SSL_CTX *sctx_ = nullptr, *cctx_ = nullptr;
  SSL *client_ = nullptr, *server_ = nullptr;
  bool ok_ = false;
};

bool WriteAll(int fd, const void* p, size_t n) {
  const char* c = static_cast<const char*>(p);
  while (n > 0) {
    ssize_t w = write(fd, c, n);
    if (w <= 0) return false;
    c += w;
    n -= w;
  }
  return true;
}

bool ReadAll(int fd, void* p, size_t n) {
  char* c = static_cast<char*>(p);
  while (n > 0) {
    ssize_t r = read(fd, c, n);
    if (r <= 0) return false;
    c += r;
    n -= r;
  }
  return true;
}

// The agent: a forked child that starts the loader, attaches OpenSSL's uprobes to `libssl`,
// watches the parent if asked, and drains the ring until Stop(), which returns its counters.
class Agent {
 public:
  // Empty on success, else why the agent could not start.
  std::string Start(const std::string& libssl, bool watch_parent) {
    int ctl[2], res[2];
    if (pipe(ctl) != 0 || pipe(res) != 0) return "pipe failed";
    const pid_t parent = getpid();
    pid_ = fork();
    if (pid_ < 0) return "fork failed";
    if (pid_ == 0) {
      close(ctl[1]);
      close(res[0]);
      Child(ctl[0], res[1], libssl, watch_parent ? parent : 0);
    }
    close(ctl[0]);
    close(res[1]);
    ctl_ = ctl[1];
    res_ = res[0];
    uint32_t len = 0;
    if (!ReadAll(res_, &len, sizeof(len))) return "the agent child died while starting";
    std::string msg(len, '\0');
    if (!ReadAll(res_, msg.data(), len)) return "the agent child died while starting";
    return msg;
  }

  // Stops the child; its kernel counters (all zero when it did not start).
  KernelCounters Stop() {
    KernelCounters k{};
    if (pid_ <= 0) return k;
    close(ctl_);  // EOF: the child's signal to stop
    if (!ReadAll(res_, k.data(), sizeof(k))) k = {};
    close(res_);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
    return k;
  }
  ~Agent() { Stop(); }

 private:
  [[noreturn]] static void Child(int ctl, int res, const std::string& libssl, pid_t watch) {
    auto say = [&](const std::string& m) {
      uint32_t len = m.size();
      WriteAll(res, &len, sizeof(len));
      WriteAll(res, m.data(), m.size());
    };
    auto started = BpfLoader::Start(LoaderOptions{});
    if (!started) {
      say(started.error().message);
      _exit(1);
    }
    auto loader = std::move(started).value();
    auto probes = loader->AttachOpenSsl(libssl);
    if (!probes) {
      say("AttachOpenSsl(" + libssl + "): " + probes.error().message);
      _exit(1);
    }
    if (watch && !loader->WatchPid(watch)) {
      say("WatchPid failed");
      _exit(1);
    }
    say("");
    const BpfLoader::RecordHandler drop = [](const void*, size_t) {};
    for (;;) {
      (void)loader->Poll(50, drop);  // the loop ends on the parent's EOF either way
      pollfd p{ctl, POLLIN, 0};
      if (poll(&p, 1, 0) > 0) break;  // EOF: the parent is done
    }
    while (loader->Poll(0, drop).value() > 0) {
    }
    KernelCounters k = loader->Counters();
    WriteAll(res, k.data(), sizeof(k));
    _exit(0);
  }

  pid_t pid_ = -1;
  int ctl_ = -1, res_ = -1;
};

void BM_TlsWriteRead(benchmark::State& state, Arm arm) {
  const size_t n = static_cast<size_t>(state.range(0));
  TlsPair tls;
  if (!tls.ok()) {
    state.SkipWithError("the in-memory TLS handshake failed");
    return;
  }
  Agent agent;
  if (arm != Arm::kNoAgent) {
    const std::string libssl = testing_bpf::LibSslPath();
    if (libssl.empty()) {
      state.SkipWithError("no libssl in /proc/self/maps");
      return;
    }
    const std::string err = agent.Start(libssl, arm == Arm::kWatched);
    if (!err.empty()) {
      state.SkipWithError(err.c_str());
      return;
    }
  }
  std::vector<char> out(n, 'x'), in(n);
  for (auto _ : state) {
    if (SSL_write(tls.client(), out.data(), static_cast<int>(n)) != static_cast<int>(n) ||
        SSL_read(tls.server(), in.data(), static_cast<int>(n)) != static_cast<int>(n)) {
      state.SkipWithError("SSL_write/SSL_read failed");
      break;
    }
    benchmark::DoNotOptimize(in.data());
  }
  const KernelCounters k = agent.Stop();
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * n));
  using C = benchmark::Counter;
  state.counters["tls_calls_per_pair"] = C(double(k[HG_CNT_TLS_CALLS]), C::kAvgIterations);
  state.counters["no_conn_per_pair"] = C(double(k[HG_CNT_TLS_NO_CONN]), C::kAvgIterations);
  state.counters["ringbuf_drops"] = double(k[HG_CNT_DROP_RINGBUF]);
}
BENCHMARK_CAPTURE(BM_TlsWriteRead, no_agent, Arm::kNoAgent)->ArgName("bytes")->Arg(64)->Arg(1024);
BENCHMARK_CAPTURE(BM_TlsWriteRead, unwatched, Arm::kUnwatched)->ArgName("bytes")->Arg(64)->Arg(1024);
BENCHMARK_CAPTURE(BM_TlsWriteRead, watched, Arm::kWatched)->ArgName("bytes")->Arg(64)->Arg(1024);

}  // namespace
}  // namespace hugin
