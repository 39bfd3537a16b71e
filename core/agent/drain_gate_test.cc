#include "core/agent/drain_gate.h"

#include <gtest/gtest.h>
#include <poll.h>

#include <atomic>
#include <thread>

namespace hugin {
namespace {

using std::chrono::milliseconds;

bool Readable(int fd, int timeout_ms) {
  pollfd p{fd, POLLIN, 0};
  return poll(&p, 1, timeout_ms) == 1 && (p.revents & POLLIN);
}

// A scrape on its own thread: asks for a pass (waits up to 10 s for it); `served` is -1 while
// it waits, then 1 (served) or 0 (timed out).
struct Scraper {
  explicit Scraper(DrainGate& g)
      : thread([this, &g] { served = g.RequestPass(milliseconds(10000)) ? 1 : 0; }) {}
  ~Scraper() {
    if (thread.joinable()) thread.join();
  }
  int Result() {
    thread.join();
    return served.load();
  }
  std::atomic<int> served{-1};
  std::thread thread;
};

TEST(DrainGateTest, NothingAskedNothingToRead) {
  DrainGate g;
  ASSERT_TRUE(g.Open().ok());
  EXPECT_FALSE(Readable(g.fd(), 0));
  const uint64_t t = g.BeginPass();
  g.EndPass(t);
  EXPECT_FALSE(Readable(g.fd(), 0));
}

TEST(DrainGateTest, AnUnservedRequestTimesOut) {
  DrainGate g;
  ASSERT_TRUE(g.Open().ok());
  EXPECT_FALSE(g.RequestPass(milliseconds(20)));
  EXPECT_TRUE(Readable(g.fd(), 0));  // the loop would still be woken
}

TEST(DrainGateTest, APassServesTheRequestThatWokeIt) {
  DrainGate g;
  ASSERT_TRUE(g.Open().ok());
  Scraper scraper(g);
  ASSERT_TRUE(Readable(g.fd(), 10000));
  const uint64_t t = g.BeginPass();
  EXPECT_FALSE(Readable(g.fd(), 0));  // the pass took the request
  g.EndPass(t);
  EXPECT_EQ(scraper.Result(), 1);
}

TEST(DrainGateTest, APassThatBeganBeforeTheRequestDoesNotServeIt) {
  DrainGate g;
  ASSERT_TRUE(g.Open().ok());
  const uint64_t early = g.BeginPass();  // the loop is reading the ring...
  Scraper scraper(g);
  ASSERT_TRUE(Readable(g.fd(), 10000));  // ...when the scrape asks
  g.EndPass(early);
  // The request is still pending: the eventfd still wakes the loop, the scraper still waits.
  // (A wrongly released scraper would set `served` within this time.)
  EXPECT_TRUE(Readable(g.fd(), 0));
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_EQ(scraper.served.load(), -1);
  const uint64_t next = g.BeginPass();
  EXPECT_GT(next, early);
  g.EndPass(next);
  EXPECT_EQ(scraper.Result(), 1);
}

TEST(DrainGateTest, ClosingReleasesWaitersAndLaterRequests) {
  DrainGate g;
  ASSERT_TRUE(g.Open().ok());
  Scraper scraper(g);
  ASSERT_TRUE(Readable(g.fd(), 10000));
  g.Close();
  EXPECT_EQ(scraper.Result(), 1);
  EXPECT_TRUE(g.RequestPass(milliseconds(10000)));
}

TEST(DrainGateTest, ManyScrapersOnePass) {
  DrainGate g;
  ASSERT_TRUE(g.Open().ok());
  std::atomic<int> served{0};
  std::vector<std::thread> scrapers;
  for (int i = 0; i < 4; i++)
    scrapers.emplace_back([&] { served += g.RequestPass(milliseconds(10000)) ? 1 : 0; });
  // Serve passes until every scraper is released; each pass serves all asked before it began.
  int passes = 0;
  for (int tries = 0; served.load() < 4 && tries < 100; tries++) {
    if (!Readable(g.fd(), 1000)) continue;
    g.EndPass(g.BeginPass());
    passes++;
  }
  for (auto& t : scrapers) t.join();
  EXPECT_EQ(served.load(), 4);
  EXPECT_LE(passes, 4);
}

}  // namespace
}  // namespace hugin
