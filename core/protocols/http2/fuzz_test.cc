// Seeded, deterministic randomized tests. Random bytes and mutated traffic must never crash and
// must keep memory bounded; traffic that only loses bytes (dropped calls, truncated captures,
// random cuts, late attach) must never yield a wrong field: every decoded path, status and
// grpc-status is the one that stream really carried. Any failure names its seed.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "core/protocols/http2/connection.h"
#include "core/protocols/http2/h2_testing.h"

namespace hugin::http2 {
namespace {

using namespace testing;

struct Truth {
  std::string path;
  int status;
  int grpc_status;
};

// Random gRPC and plain exchanges, sequential, on one connection (both directions' bytes).
void Generate(std::mt19937_64& rng, int n, std::string* client, std::string* server,
              std::map<uint32_t, Truth>* truth) {
  Encoder ce, se;
  *client = ClientStart();
  *server = ServerStart();
  for (int i = 0; i < n; ++i) {
    uint32_t id = 1 + 2 * i;
    std::string path = "/svc.S/M" + std::to_string(rng() % 5);
    bool grpc = rng() % 3 != 0;
    if (grpc) {
      int code = static_cast<int>(rng() % 3) * 7;
      (*truth)[id] = {path, 200, code};
      *client += Cat(
          {ce.Headers(id, GrpcRequest(path), false), Data(id, GrpcMessage(rng() % 3000), true)});
      *server += Cat({se.Headers(id, GrpcResponseHead(), false),
                      Data(id, GrpcMessage(rng() % 5000), false),
                      se.Headers(id, GrpcTrailers(code), true)});
    } else {
      int status = rng() % 2 ? 200 : 404;
      (*truth)[id] = {path, status, -1};
      *client += ce.Headers(id, GetRequest(path), true);
      *server += Cat({se.Headers(id, Response(status), false),
                      Data(id, std::string(rng() % 20000, 'b'), true)});
    }
  }
}

struct Call {
  Sender from;
  uint64_t pos;
  std::string bytes;
};

std::vector<Call> Cut(const std::string& bytes, Sender from, std::mt19937_64& rng,
                      size_t max_piece) {
  std::vector<Call> out;
  for (size_t off = 0; off < bytes.size();) {
    size_t n = 1 + rng() % max_piece;
    out.push_back({from, off, bytes.substr(off, n)});
    off += n;
  }
  return out;
}

void CheckBounded(const Connection& c, const Options& o) {
  EXPECT_LE(c.open_streams(), o.max_streams);
}

TEST(Fuzz, LossNeverYieldsWrongFields) {
  uint64_t lossy_known_paths = 0, lossy_unknown_paths = 0;
  for (uint64_t seed = 1; seed <= 150; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937_64 rng(seed);
    std::string client, server;
    std::map<uint32_t, Truth> truth;
    Generate(rng, 3 + rng() % 12, &client, &server, &truth);
    size_t max_piece = std::vector<size_t>{7, 60, 700, 20000}[rng() % 4];
    auto calls = Cut(client, Sender::kClient, rng, max_piece);
    auto scalls = Cut(server, Sender::kServer, rng, max_piece);
    // Interleave the directions in order of position share (roughly request before response).
    calls.insert(calls.end(), scalls.begin(), scalls.end());
    std::stable_sort(calls.begin(), calls.end(), [&](const Call& a, const Call& b) {
      return a.pos * 1.0 / (a.from == Sender::kClient ? client.size() : server.size()) <
             b.pos * 1.0 / (b.from == Sender::kClient ? client.size() : server.size());
    });
    Options o;
    o.streams_start_at_zero = rng() % 2;
    const size_t skip_first = rng() % 2 ? rng() % calls.size() : 0;  // late attach
    const int drop_pct = static_cast<int>(rng() % 4) * 5;
    const size_t capture = std::vector<size_t>{16, 64, 512, SIZE_MAX}[rng() % 4];
    Connection c(o);
    uint64_t ts = 0;
    for (size_t i = skip_first; i < calls.size(); ++i) {
      if (static_cast<int>(rng() % 100) < drop_pct) continue;
      const Call& k = calls[i];
      c.OnData(k.from,
               Chunk{k.pos, static_cast<uint32_t>(k.bytes.size()),
                     std::string_view(k.bytes).substr(0, std::min(capture, k.bytes.size())), ++ts});
    }
    c.OnClose(++ts);
    CheckBounded(c, o);
    std::vector<Exchange> ex;
    c.TakeExchanges(ex);
    for (const Exchange& e : ex) {
      auto it = truth.find(e.stream_id);
      ASSERT_NE(it, truth.end()) << e.stream_id;
      if (e.path) {
        EXPECT_EQ(*e.path, it->second.path) << e.stream_id;
      }
      if (e.status) {
        EXPECT_EQ(*e.status, it->second.status) << e.stream_id;
      }
      if (e.grpc_status) {
        EXPECT_EQ(*e.grpc_status, it->second.grpc_status) << e.stream_id;
      }
      if (drop_pct > 0 || skip_first > 0) ++(e.path ? lossy_known_paths : lossy_unknown_paths);
    }
    if (drop_pct == 0 && capture == SIZE_MAX && skip_first == 0 && o.streams_start_at_zero) {
      EXPECT_EQ(ex.size(), truth.size());  // nothing lost: every stream, whole
    }
  }
  // The property was exercised both ways: under loss some paths decoded, some did not.
  EXPECT_GT(lossy_known_paths, 50u) << lossy_unknown_paths;
  EXPECT_GT(lossy_unknown_paths, 10u);
}

TEST(Fuzz, RandomAndMutatedBytesNeverCrashAndStayBounded) {
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937_64 rng(seed);
    Options o;
    o.streams_start_at_zero = rng() % 2;
    o.max_streams = 8;
    o.max_header_block_bytes = 1024;
    o.max_frame_payload_bytes = 2048;
    Connection c(o);
    std::string client, server;
    std::map<uint32_t, Truth> truth;
    Generate(rng, 10, &client, &server, &truth);
    for (std::string* s : {&client, &server}) {
      if (seed % 3 == 0) {
        for (char& ch : *s) ch = static_cast<char>(rng());  // pure noise
      } else {
        for (int m = 0; m < 1 + static_cast<int>(rng() % 20); ++m)
          (*s)[rng() % s->size()] = static_cast<char>(rng());
      }
    }
    uint64_t cpos = 0, spos = 0, ts = 0;
    for (const Call& k : Cut(client, Sender::kClient, rng, 300)) {
      c.OnData(k.from, Chunk{k.pos, static_cast<uint32_t>(k.bytes.size()), k.bytes, ++ts});
      cpos = k.pos;
    }
    for (const Call& k : Cut(server, Sender::kServer, rng, 300)) {
      c.OnData(k.from, Chunk{k.pos, static_cast<uint32_t>(k.bytes.size()), k.bytes, ++ts});
      spos = k.pos;
    }
    CheckBounded(c, o);
    c.OnClose(++ts);
    std::vector<Exchange> ex;
    c.TakeExchanges(ex);
    EXPECT_EQ(c.open_streams(), 0u);
    EXPECT_EQ(c.stats().exchanges, ex.size());
    EXPECT_GT(cpos + spos, 0u);
  }
}

}  // namespace
}  // namespace hugin::http2
