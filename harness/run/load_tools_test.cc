// The generated load files run by the real tools (wrk, h2load) against a small recording
// HTTP/1.1 server in this test: every request must carry a unique identity, be the element of
// the mix the identity names (method, path, query, body length and framing), and cover the mix.
// Skipped when a tool is not installed (.ci/setup installs both).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "harness/collect/load_output.h"
#include "harness/run/load.h"
#include "harness/run/request_mix.h"
#include "harness/util/process.h"

namespace hugin::harness {
namespace {

struct Seen {
  std::string method, target;
  size_t body = 0;
  bool chunked = false;
  int peer_port = 0;
};

// One complete request at the start of `buf`: its length, or nothing when more bytes are needed.
std::optional<size_t> ParseRequest(const std::string& buf, Seen& out) {
  const size_t head_end = buf.find("\r\n\r\n");
  if (head_end == std::string::npos) return std::nullopt;
  const std::string head = buf.substr(0, head_end + 2);
  const size_t sp1 = head.find(' '), sp2 = head.find(' ', sp1 + 1);
  out.method = head.substr(0, sp1);
  out.target = head.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string lower = head;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  size_t pos = head_end + 4;
  out.chunked = lower.find("\r\ntransfer-encoding: chunked\r\n") != std::string::npos;
  if (out.chunked) {
    out.body = 0;
    for (;;) {
      const size_t eol = buf.find("\r\n", pos);
      if (eol == std::string::npos) return std::nullopt;
      const size_t size = std::stoul(buf.substr(pos, eol - pos), nullptr, 16);
      pos = eol + 2;
      if (size == 0) {
        if (buf.size() < pos + 2) return std::nullopt;
        return pos + 2;  // no trailers in the harness's requests
      }
      if (buf.size() < pos + size + 2) return std::nullopt;
      out.body += size;
      pos += size + 2;
    }
  }
  const size_t cl = lower.find("\r\ncontent-length: ");
  out.body = cl == std::string::npos ? 0 : std::stoul(head.substr(cl + 18));
  if (buf.size() < pos + out.body) return std::nullopt;
  return pos + out.body;
}

// Accepts on 127.0.0.1, answers every request "200, empty", records what it read.
class RecordingServer {
 public:
  RecordingServer() {
    listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        listen(listen_fd_, 128) != 0 ||
        getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
      throw std::runtime_error("cannot listen");
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { AcceptLoop(); });
  }
  ~RecordingServer() { Stop(); }

  int port() const { return port_; }

  void Stop() {
    if (stopped_) return;
    stopped_ = true;
    shutdown(listen_fd_, SHUT_RDWR);
    acceptor_.join();
    close(listen_fd_);
    std::lock_guard<std::mutex> lock(mu_);
    for (int fd : conn_fds_) shutdown(fd, SHUT_RDWR);
    for (auto& t : workers_) t.join();
    for (int fd : conn_fds_) close(fd);
  }

  std::vector<Seen> seen() {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_;
  }

 private:
  void AcceptLoop() {
    for (;;) {
      sockaddr_in peer{};
      socklen_t len = sizeof peer;
      const int fd = accept4(listen_fd_, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_CLOEXEC);
      if (fd < 0) return;
      std::lock_guard<std::mutex> lock(mu_);
      conn_fds_.push_back(fd);
      workers_.emplace_back([this, fd, port = ntohs(peer.sin_port)] { Serve(fd, port); });
    }
  }

  void Serve(int fd, int peer_port) {
    static const std::string kReply = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    std::string buf;
    char chunk[65536];
    for (;;) {
      const ssize_t n = read(fd, chunk, sizeof chunk);
      if (n <= 0) return;
      buf.append(chunk, static_cast<size_t>(n));
      Seen s;
      while (const auto used = ParseRequest(buf, s)) {
        s.peer_port = peer_port;
        buf.erase(0, *used);
        {
          std::lock_guard<std::mutex> lock(mu_);
          seen_.push_back(s);
        }
        if (write(fd, kReply.data(), kReply.size()) != static_cast<ssize_t>(kReply.size())) return;
      }
    }
  }

  int listen_fd_ = -1;
  int port_ = 0;
  bool stopped_ = false;
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<int> conn_fds_;
  std::vector<std::thread> workers_;
  std::vector<Seen> seen_;
};

bool OnPath(const std::string& tool) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    const size_t end = std::min(dirs.find(':', start), dirs.size());
    if (access((dirs.substr(start, end - start) + "/" + tool).c_str(), X_OK) == 0) return true;
    start = end + 1;
  }
  return false;
}

std::string WorkDir(const std::string& name) {
  const std::string dir = ::testing::TempDir() + "/" + name;
  std::filesystem::create_directories(dir);
  return dir;
}

// What request n must look like: its element of the mix, behind its identity.
void ExpectIsElement(const Seen& s, const RequestIdentity& id, const std::vector<MixElement>& mix,
                     const std::vector<uint16_t>& seq, const MixElement** element) {
  const auto parsed = ParseIdentityPath(s.target);
  ASSERT_TRUE(parsed) << s.target;
  ASSERT_EQ(parsed->prefix, id.prefix);
  ASSERT_EQ(parsed->run_id, id.run_id);
  const MixElement& e = mix[seq[parsed->n % kMixPeriod]];
  EXPECT_EQ(s.target, IdentityPath(id, parsed->n) + e.target_after_identity());
  *element = &e;
}

}  // namespace

TEST(LoadTools, WrkRequestsAreUniqueAcrossThreadsAndFollowTheMix) {
  if (!OnPath("wrk")) GTEST_SKIP() << "wrk not installed";
  Scenario s;
  s.name = "t";
  s.load.tool = "wrk";
  s.load.connections = 4;
  s.load.threads = 2;
  s.load.duration_s = 1;
  const RequestIdentity id{"r", "0-1-h"};
  const std::string dir = WorkDir("wrk");
  RecordingServer server;
  const LoadTarget target{"http", server.port(), ""};
  WriteLoadFiles(s, target, 0, id, dir);
  std::string out;
  ASSERT_EQ(RunCommand(LoadCommand(s, target, 0, dir), out, std::chrono::seconds(30)), 0) << out;
  server.Stop();
  std::string error;
  const auto load = ParseWrkJson(out, error);
  ASSERT_TRUE(load) << error << "\n" << out;

  const auto& mix = DefaultMix();
  const auto seq = MixSequence(mix.size(), s.load.seed);
  const auto seen = server.seen();
  ASSERT_GE(seen.size(), kMixPeriod) << "too few requests to cover the mix";
  std::set<uint64_t> ns;
  std::set<std::string> elements;
  std::set<uint64_t> threads;
  for (const Seen& r : seen) {
    const MixElement* e = nullptr;
    ExpectIsElement(r, id, mix, seq, &e);
    if (!e) continue;
    const uint64_t n = ParseIdentityPath(r.target)->n;
    EXPECT_TRUE(ns.insert(n).second) << "identity sent twice: " << r.target;
    threads.insert(n % 2);
    elements.insert(e->name);
    EXPECT_EQ(r.method, e->method) << r.target;
    EXPECT_EQ(r.body, static_cast<size_t>(e->request_bytes())) << r.target;
    EXPECT_EQ(r.chunked, e->framing == BodyFraming::kChunked) << r.target;
  }
  EXPECT_EQ(elements.size(), mix.size());
  EXPECT_EQ(threads.size(), 2u);  // both wrk threads numbered their requests
  // Completed requests (wrk's count) were all seen; the server may also have seen a few that
  // were in flight when wrk stopped.
  EXPECT_LE(load->requests, static_cast<double>(seen.size()));
}

TEST(LoadTools, H2loadWalksTheUriListOncePerConnection) {
  if (!OnPath("h2load")) GTEST_SKIP() << "h2load not installed";
  Scenario s;
  s.name = "t";
  s.load.tool = "h2load";
  s.load.connections = 3;
  s.load.duration_s = 1;
  s.load.method = "PUT";
  s.load.body_bytes = 5;
  const int rate = 300;
  const RequestIdentity id{"r", "300-1-h"};
  const std::string dir = WorkDir("h2load");
  RecordingServer server;
  const LoadTarget target{"http", server.port(), ""};
  WriteLoadFiles(s, target, rate, id, dir);
  std::string out;
  ASSERT_EQ(RunCommand(LoadCommand(s, target, rate, dir), out, std::chrono::seconds(30)), 0)
      << out;
  server.Stop();

  const auto& mix = DefaultMix();
  const auto seq = MixSequence(mix.size(), s.load.seed);
  const auto seen = server.seen();
  ASSERT_GE(seen.size(), 100u);
  std::map<int, std::vector<uint64_t>> by_port;
  for (const Seen& r : seen) {
    const MixElement* e = nullptr;
    ExpectIsElement(r, id, mix, seq, &e);
    EXPECT_EQ(r.method, "PUT");  // one method and body for the whole run
    EXPECT_EQ(r.body, 5u);
    EXPECT_FALSE(r.chunked);
    by_port[r.peer_port].push_back(ParseIdentityPath(r.target)->n);
  }
  // Every connection sends the list from its start, in order: (peer port, n) is the identity,
  // and no connection reached the end of the list.
  EXPECT_EQ(by_port.size(), 3u);
  for (const auto& [port, ns] : by_port) {
    for (size_t i = 0; i < ns.size(); ++i) ASSERT_EQ(ns[i], i) << "port " << port;
    EXPECT_LT(ns.size(), H2loadUriCount(s.load, rate));
  }
}

}  // namespace hugin::harness
