#include "harness/analyze/loss.h"

#include <gtest/gtest.h>

namespace hugin::harness {

TEST(Loss, NothingMissing) {
  const auto r = AccountLoss({.requests_served = 500, .requests_sent = 500, .spans_matched = 500,
                              .kernel_drops = 0});
  EXPECT_EQ(r.missing, 0u);
  EXPECT_EQ(r.silent_loss, 0u);
  EXPECT_EQ(r.sent_minus_captured, 0);
}

TEST(Loss, DropsExplainMissingSpans) {
  const auto r = AccountLoss({.requests_served = 1000, .requests_sent = 1000, .spans_matched = 900,
                              .kernel_drops = 250});
  EXPECT_EQ(r.missing, 100u);
  EXPECT_EQ(r.explained, 100u);
  EXPECT_EQ(r.silent_loss, 0u);
}

TEST(Loss, OneDropExplainsOneMissingRequestOnly) {
  const auto r = AccountLoss({.requests_served = 4000, .requests_sent = 4000, .spans_matched = 3966,
                              .kernel_drops = 32});
  EXPECT_EQ(r.missing, 34u);
  EXPECT_EQ(r.explained, 32u);
  EXPECT_EQ(r.silent_loss, 2u);
}

TEST(Loss, UncountedMissingIsSilent) {
  const auto r = AccountLoss({.requests_served = 1000, .requests_sent = 998, .spans_matched = 990,
                              .kernel_drops = 3});
  EXPECT_EQ(r.missing, 10u);
  EXPECT_EQ(r.explained, 3u);
  EXPECT_EQ(r.silent_loss, 7u);
  EXPECT_EQ(r.sent_minus_captured, 8);
}

TEST(Loss, MoreMatchesThanServedNeverUnderflows) {
  const auto r = AccountLoss({.requests_served = 10, .requests_sent = 10, .spans_matched = 12,
                              .kernel_drops = 0});
  EXPECT_EQ(r.missing, 0u);
  EXPECT_EQ(r.silent_loss, 0u);
  EXPECT_EQ(r.sent_minus_captured, -2);
}

}  // namespace hugin::harness
