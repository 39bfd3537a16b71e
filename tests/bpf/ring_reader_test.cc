// RingReader on a real BPF ring buffer: records of every length, discarded records skipped,
// positions wrapping around the ring many times (a record straddling the end read whole
// through the kernel's double mapping), space given back to the kernel, the epoll wakeup, and
// reading from an unprivileged process that only inherited the map fd.
#include "core/loader/ring_reader.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include "core/privsep/drop_privileges.h"
#include "tests/bpf/ringbuf_producer.h"

namespace hugin {
namespace {

using testing_bpf::RingProducer;

struct Record {
  uint32_t seq;
  std::string bytes;
};

std::vector<Record> ConsumeAll(RingReader& r) {
  std::vector<Record> out;
  r.Consume([&](const void* d, size_t n) {
    Record rec;
    std::memcpy(&rec.seq, d, 4);
    rec.bytes.assign(static_cast<const char*>(d), n);
    out.push_back(rec);
  });
  return out;
}

// The record's bytes are the producer's payload with its seq over the first 4.
bool IntactRecord(const Record& r, uint32_t len) {
  if (r.bytes.size() != len) return false;
  for (size_t i = 4; i < len; i++)
    if (r.bytes[i] != RingProducer::Fill(i)) return false;
  return true;
}

constexpr uint32_t kRing = 4096;

class RingReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(producer_.ok()) << "cannot load the producer BPF program (root? BPF?)";
    auto r = RingReader::Open(producer_.map_fd(), kRing);
    ASSERT_TRUE(r) << r.error().message;
    reader_ = std::move(r).value();
  }
  RingProducer producer_{kRing};
  std::unique_ptr<RingReader> reader_;
};

TEST_F(RingReaderTest, ReadsRecordsOfEveryLengthInOrder) {
  std::vector<uint32_t> lens = {4, 5, 7, 8, 9, 15, 16, 17, 100, 1000};
  for (uint32_t i = 0; i < lens.size(); i++) ASSERT_EQ(producer_.Output(lens[i], i), 0);
  auto got = ConsumeAll(*reader_);
  ASSERT_EQ(got.size(), lens.size());
  for (uint32_t i = 0; i < lens.size(); i++) {
    EXPECT_EQ(got[i].seq, i);
    EXPECT_TRUE(IntactRecord(got[i], lens[i])) << "record " << i << " of " << lens[i] << " bytes";
  }
  EXPECT_TRUE(ConsumeAll(*reader_).empty()) << "a record read twice";
}

TEST_F(RingReaderTest, SkipsDiscardedRecords) {
  ASSERT_EQ(producer_.Output(10, 1), 0);
  ASSERT_EQ(producer_.Discard(2), 0);
  ASSERT_EQ(producer_.Discard(3), 0);
  ASSERT_EQ(producer_.Output(10, 4), 0);
  auto got = ConsumeAll(*reader_);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].seq, 1u);
  EXPECT_EQ(got[1].seq, 4u);
}

TEST_F(RingReaderTest, WrapsAroundAndGivesSpaceBack) {
  // 1000-byte records take 1008 bytes: four fill 4032 of 4096, so the fifth straddles the
  // end, and 100 rounds wrap the positions ~25 times. Without consumer_pos written back the
  // kernel would report the ring full after the fourth.
  uint32_t seq = 0;
  for (int round = 0; round < 100; round++) {
    std::vector<uint32_t> lens = {1000, 1000, 1000, static_cast<uint32_t>(4 + round * 13 % 997)};
    for (uint32_t len : lens) ASSERT_EQ(producer_.Output(len, seq++), 0) << "ring full, round " << round;
    auto got = ConsumeAll(*reader_);
    ASSERT_EQ(got.size(), lens.size()) << "round " << round;
    for (size_t i = 0; i < lens.size(); i++) {
      EXPECT_EQ(got[i].seq, seq - lens.size() + i);
      EXPECT_TRUE(IntactRecord(got[i], lens[i])) << "round " << round << " record " << i;
    }
  }
}

TEST_F(RingReaderTest, AFullRingRefusesUntilRead) {
  int written = 0;
  while (producer_.Output(1000, written) == 0) written++;
  EXPECT_EQ(written, 4);  // 4 x 1008 bytes; a fifth does not fit in 4096
  EXPECT_EQ(ConsumeAll(*reader_).size(), 4u);
  EXPECT_EQ(producer_.Output(1000, 99), 0);
}

TEST_F(RingReaderTest, WaitWakesOnAForcedWakeupAndTimesOutOtherwise) {
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(reader_->Poll(100, [](const void*, size_t) {}).value(), 0);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(90));
  ASSERT_EQ(producer_.Output(8, 1, BPF_RB_FORCE_WAKEUP), 0);
  t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(reader_->Poll(5000, [](const void*, size_t) {}).value(), 1);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(1000));
}

// The agent's wakeup policy (bpf/wakeup.bpf.h) on a real ring: records that leave the unread
// data below a step do not wake a waiting reader; the record that crosses it does. (epoll
// reports the ring only after a wakeup: data written without one does not end the wait.)
TEST_F(RingReaderTest, AgentWakeupComesOnlyWhenUnreadDataCrossesAStep) {
  constexpr uint32_t kStep = 1024, kLen = 100;  // each record takes 112 bytes of the ring
  for (uint32_t seq = 0; seq < 5; seq++) ASSERT_EQ(producer_.OutputAsAgent(kLen, seq, kStep), 0);
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(reader_->Poll(300, [](const void*, size_t) {}).value(), 5);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(280))
      << "560 unread bytes woke the reader (step 1024)";
  // From empty again: the 10th record takes the unread bytes from 1008 to 1120.
  for (uint32_t seq = 0; seq < 9; seq++) ASSERT_EQ(producer_.OutputAsAgent(kLen, seq, kStep), 0);
  t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(reader_->Poll(300, [](const void*, size_t) {}).value(), 9);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(280))
      << "1008 unread bytes woke the reader (step 1024)";
  for (uint32_t seq = 0; seq < 10; seq++) ASSERT_EQ(producer_.OutputAsAgent(kLen, seq, kStep), 0);
  t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(reader_->Poll(5000, [](const void*, size_t) {}).value(), 10);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(1000))
      << "crossing the step did not wake the reader";
}

TEST(RingReader, RefusesASizeThatIsNotAPowerOfTwoPageMultiple) {
  auto r = RingReader::Open(-1, 3 * 4096);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("power of two"), std::string::npos);
}

TEST(RingReader, AnUnprivilegedProcessReadsAnInheritedRing) {
  RingProducer producer(kRing);
  ASSERT_TRUE(producer.ok());
  for (uint32_t i = 0; i < 3; i++) ASSERT_EQ(producer.Output(64, 100 + i), 0);
  ASSERT_EQ(producer.Discard(7), 0);
  auto user = privsep::LookUpUser("nobody");
  ASSERT_TRUE(user) << user.error().message;
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // Exit codes: 10 + records read, or what failed.
    if (!privsep::DropPrivileges(*user, getppid())) _exit(2);
    auto r = RingReader::Open(producer.map_fd(), kRing);
    if (!r) _exit(3);
    auto got = ConsumeAll(**r);
    for (size_t i = 0; i < got.size(); i++)
      if (got[i].seq != 100 + i || !IntactRecord(got[i], 64)) _exit(4);
    _exit(10 + static_cast<int>(got.size()));
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 13);
  // The child's reads gave the space back: the ring is empty for the parent's reader too.
  auto r = RingReader::Open(producer.map_fd(), kRing);
  ASSERT_TRUE(r);
  EXPECT_TRUE(ConsumeAll(**r).empty());
}

}  // namespace
}  // namespace hugin
