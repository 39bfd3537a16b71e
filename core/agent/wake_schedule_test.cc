#include "core/agent/wake_schedule.h"

#include <gtest/gtest.h>

namespace hugin {
namespace {

using std::chrono::milliseconds;

TEST(BackoffTest, DoublesWhileIdleUpToTheCap) {
  Backoff b(milliseconds(50), milliseconds(1000));
  EXPECT_EQ(b.current(), milliseconds(50));
  EXPECT_EQ(b.After(false), milliseconds(100));
  EXPECT_EQ(b.After(false), milliseconds(200));
  EXPECT_EQ(b.After(false), milliseconds(400));
  EXPECT_EQ(b.After(false), milliseconds(800));
  EXPECT_FALSE(b.idle());
  EXPECT_EQ(b.After(false), milliseconds(1000));
  EXPECT_TRUE(b.idle());
  EXPECT_EQ(b.After(false), milliseconds(1000));
}

TEST(BackoffTest, AnythingFoundGoesBackToBusy) {
  Backoff b(milliseconds(100), milliseconds(1000));
  for (int i = 0; i < 10; i++) b.After(false);
  EXPECT_EQ(b.After(true), milliseconds(100));
  EXPECT_EQ(b.current(), milliseconds(100));
  EXPECT_EQ(b.After(false), milliseconds(200));
}

TEST(BackoffTest, AnIdleBelowBusyNeverWaitsLessThanBusy) {
  Backoff b(milliseconds(100), milliseconds(10));
  EXPECT_EQ(b.After(false), milliseconds(100));
  EXPECT_TRUE(b.idle());
}

TEST(WakeScheduleTest, IdleLossDrainsRideOnOnceASecondDiscovery) {
  // privileged_side.cc drains at every discovery scan; an idle drain interval equal to the
  // default scan interval (1000 ms) makes that one wakeup a second.
  EXPECT_EQ(kIdleLossDrainInterval, milliseconds(1000));
  EXPECT_LT(kLossDrainInterval, kIdleLossDrainInterval);
  EXPECT_LT(kPollMs, kIdlePollMs);
}

}  // namespace
}  // namespace hugin
