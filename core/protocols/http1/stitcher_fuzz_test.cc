// Seeded, deterministic randomized tests: random valid traffic under random chunkings, captures
// and losses, and random bytes. Any failure names its seed.
#include <gtest/gtest.h>

#include <limits>
#include <random>
#include <string>
#include <vector>

#include "core/protocols/http1/stitcher.h"
#include "core/protocols/http1/traffic_testing.h"

namespace hugin::http1 {
namespace {

using testing::Exchange;
using testing::Layout;
using testing::Syscall;

constexpr size_t kAll = std::numeric_limits<size_t>::max();
#ifndef LOSS_SEEDS
#define LOSS_SEEDS 300
#endif
constexpr uint64_t kLossSeeds = LOSS_SEEDS;

std::vector<Exchange> RandomExchanges(std::mt19937_64& rng, int max_count) {
  std::vector<Exchange> ex;
  int n = 1 + static_cast<int>(rng() % max_count);
  for (int i = 0; i < n; ++i) ex.push_back(testing::RandomExchange(rng, i));
  return ex;
}

// Full captures, no loss: whatever the chunking, exactly the expected records come out
// (timing included: each time is that of the syscall holding the first/last byte).
TEST(StitcherFuzz, SameRecordsForAnyChunking) {
  for (uint64_t seed = 1; seed <= 80; ++seed) {
    std::mt19937_64 rng(seed);
    std::vector<Exchange> exchanges = RandomExchanges(rng, seed <= 10 ? 6 : 30);
    for (Layout layout : {Layout::kSequential, Layout::kPipelined}) {
      for (size_t max_piece : {size_t{1}, size_t{13}, size_t{300}, size_t{5000}, size_t{1} << 24}) {
        if (max_piece == 1 && seed > 10) continue;  // byte-by-byte is slow; a few seeds suffice
        std::vector<Record> expected;
        std::vector<Syscall> calls = testing::Schedule(exchanges, layout, max_piece, rng, &expected);
        Stitcher s;
        testing::Feed(calls, kAll, &s);
        std::vector<Record> got = s.TakeRecords();
        s.Close();
        ASSERT_TRUE(s.TakeRecords().empty());
        ASSERT_EQ(got, expected) << "seed " << seed << " piece " << max_piece << " layout "
                                 << static_cast<int>(layout);
        const Stats& st = s.stats();
        ASSERT_EQ(st.parse_errors + st.gaps + st.resyncs + st.unmatched_responses, 0u)
            << "seed " << seed;
        ASSERT_EQ(st.requests, exchanges.size());
      }
    }
  }
}

// Truncated captures, lost and duplicated events: records may be missing or have status 0, but
// every record given is that request's, in order, and a record that claims a response has the
// right status; unless marked estimated it is exact in every field.
TEST(StitcherFuzz, LossAndTruncationNeverGiveAWrongRecord) {
  uint64_t total_records = 0, exact_records = 0;
  for (uint64_t seed = 1; seed <= kLossSeeds; ++seed) {
    std::mt19937_64 rng(seed);
    std::vector<Exchange> exchanges = RandomExchanges(rng, 40);
    size_t max_piece = std::vector<size_t>{50, 600, 3000, size_t{1} << 24}[rng() % 4];
    size_t capture = std::vector<size_t>{0, 16, 64, 512, 4096, kAll}[rng() % 6];
    double loss = std::vector<double>{0.0, 0.02, 0.1, 0.3}[rng() % 4];
    std::vector<Record> expected;
    std::vector<Syscall> calls =
        testing::Schedule(exchanges, Layout::kSequential, max_piece, rng, &expected);
    std::bernoulli_distribution lose(loss), duplicate(0.02);
    std::vector<Syscall> delivered;
    for (const Syscall& c : calls) {
      if (lose(rng)) continue;
      delivered.push_back(c);
      if (duplicate(rng)) delivered.push_back(c);
    }
    Stitcher s;
    testing::Feed(delivered, capture, &s);
    // Half the seeds close with the kernel's byte count of the request stream (as the tracker
    // does), which lets pairings made by time stand when no request bytes were lost at the end.
    uint64_t request_end = 0;
    for (const Syscall& c : calls)
      if (c.is_request) request_end = std::max<uint64_t>(request_end, c.pos + c.bytes.size());
    if (seed % 2) {
      s.Close(request_end);
    } else {
      s.Close();
    }
    std::vector<Record> got = s.TakeRecords();
    const std::string where = "seed " + std::to_string(seed) + " capture " +
                              std::to_string(capture) + " loss " + std::to_string(loss);
    int last = -1;
    for (const Record& r : got) {
      ASSERT_EQ(r.path.rfind("/r", 0), 0u) << where;
      int k = std::stoi(r.path.substr(2));
      ASSERT_GT(k, last) << where;
      last = k;
      const Record& want = expected[k];
      ASSERT_EQ(r.method, want.method) << where;
      ++total_records;
      if (r.status == 0) continue;  // no response claimed
      ASSERT_EQ(r.status, want.status) << where << " path " << r.path;
      if (!r.estimated) {
        ASSERT_EQ(r, want) << where;
        ++exact_records;
      }
    }
    if (capture == kAll && loss == 0.0) {
      ASSERT_EQ(got, expected) << where;
    }
    EXPECT_EQ(s.pending_requests(), 0u) << where;
  }
  // The checks above must have had something to check.
  EXPECT_GT(exact_records, total_records / 3);
}

// Random bytes, and valid traffic with random byte flips, random positions and captures: no
// crash, bounded state.
TEST(StitcherFuzz, RandomBytesNeverCrashAndStayBounded) {
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    std::mt19937_64 rng(seed);
    Options o;
    o.max_pending_requests = 64;
    Stitcher s(o);
    uint64_t pos[2] = {0, 0};
    std::vector<Syscall> calls;
    if (seed % 2 == 0) {
      std::vector<Record> expected;
      calls = testing::Schedule(RandomExchanges(rng, 30), Layout::kPipelined, 200, rng, &expected);
      for (Syscall& c : calls) {
        for (char& ch : c.bytes) {
          if (rng() % 500 == 0) ch = static_cast<char>(rng());
        }
      }
    } else {
      for (int i = 0; i < 300; ++i) {
        Syscall c;
        c.is_request = rng() % 2;
        std::string bytes(1 + rng() % 700, '\0');
        for (char& ch : bytes) ch = static_cast<char>(rng() % 4 ? rng() : "GET /HTTP1.\r\n 20"[rng() % 17]);
        if (rng() % 8 == 0) bytes = (c.is_request ? "GET / HTTP/1.1\r\n" : "HTTP/1.1 200 OK\r\n") + bytes;
        uint64_t& p = pos[c.is_request];
        // Mostly in order; sometimes a jump ahead or back.
        int r = static_cast<int>(rng() % 10);
        if (r == 0) p += rng() % 5000;
        if (r == 1) p -= std::min<uint64_t>(p, rng() % 500);
        c.pos = p;
        p += bytes.size();
        c.bytes = std::move(bytes);
        c.ts_ns = static_cast<uint64_t>(i + 1) * 100;
        c.arrival_ns = 0;
        calls.push_back(std::move(c));
      }
    }
    for (const Syscall& c : calls) {
      size_t capture = std::vector<size_t>{0, 8, 64, 512, kAll}[rng() % 5];
      DataChunk chunk{c.pos, static_cast<uint32_t>(c.bytes.size()),
                      std::string_view(c.bytes).substr(0, std::min(capture, c.bytes.size())),
                      c.ts_ns, c.arrival_ns};
      if (c.is_request) {
        s.AddRequestData(chunk);
      } else {
        s.AddResponseData(chunk);
      }
      ASSERT_LE(s.pending_requests(), o.max_pending_requests + 2) << "seed " << seed;
    }
    s.Close();
    for (const Record& r : s.TakeRecords()) {
      ASSERT_FALSE(r.method.empty());
      ASSERT_LE(r.req_start_ns, r.req_end_ns);
    }
    EXPECT_EQ(s.pending_requests(), 0u);
  }
}

}  // namespace
}  // namespace hugin::http1
