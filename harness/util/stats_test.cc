#include "harness/util/stats.h"

#include <gtest/gtest.h>

namespace hugin::harness {

TEST(Stats, PercentileInterpolatesBetweenRanks) {
  const std::vector<double> v{4, 1, 3, 2};  // sorted: 1 2 3 4
  EXPECT_DOUBLE_EQ(Percentile(v, 0), 1);
  EXPECT_DOUBLE_EQ(Percentile(v, 100), 4);
  EXPECT_DOUBLE_EQ(Percentile(v, 50), 2.5);
  EXPECT_DOUBLE_EQ(Percentile(v, 25), 1.75);
}

TEST(Stats, P99OfHundredValues) {
  std::vector<double> v;
  for (int i = 1; i <= 100; ++i) v.push_back(i);
  EXPECT_NEAR(Percentile(v, 99), 99.01, 1e-9);
  EXPECT_DOUBLE_EQ(Median(v), 50.5);
}

TEST(Stats, EmptyAndSingle) {
  EXPECT_EQ(Percentile({}, 99), 0);
  EXPECT_EQ(Mean({}), 0);
  EXPECT_EQ(Percentile({7}, 99), 7);
  EXPECT_DOUBLE_EQ(Mean({1, 2, 6}), 3);
}

TEST(Stats, OutOfRangePercentileIsClamped) {
  EXPECT_EQ(Percentile({1, 2, 3}, 150), 3);
  EXPECT_EQ(Percentile({1, 2, 3}, -5), 1);
}

TEST(Stats, SafeRatio) {
  EXPECT_DOUBLE_EQ(SafeRatio(90, 100), 0.9);
  EXPECT_EQ(SafeRatio(5, 0), 0);
}

}  // namespace hugin::harness
