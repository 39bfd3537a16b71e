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

TEST(Stats, GeometricMeanOfRatios) {
  EXPECT_DOUBLE_EQ(GeometricMean({0.5, 2.0}), 1.0);
  EXPECT_NEAR(GeometricMean({0.9, 0.9, 0.9}), 0.9, 1e-12);
  EXPECT_EQ(GeometricMean({}), 0);
  EXPECT_EQ(GeometricMean({1.0, -1.0}), 0);
}

TEST(Stats, BootstrapIntervalIsAPointForIdenticalPairs) {
  const auto ci = BootstrapGeometricMeanCi95({0.8, 0.8, 0.8, 0.8, 0.8});
  ASSERT_TRUE(ci);
  EXPECT_NEAR(ci->low, 0.8, 1e-12);
  EXPECT_NEAR(ci->high, 0.8, 1e-12);
}

TEST(Stats, BootstrapIntervalCoversTheMeanAndWidensWithSpread) {
  const std::vector<double> tight{0.79, 0.80, 0.81, 0.80, 0.80};
  const std::vector<double> wide{0.60, 0.80, 1.00, 0.70, 0.90};
  const auto a = BootstrapMeanCi95(tight);
  const auto b = BootstrapMeanCi95(wide);
  ASSERT_TRUE(a && b);
  EXPECT_LE(a->low, 0.80);
  EXPECT_GE(a->high, 0.80);
  EXPECT_LT(a->high - a->low, b->high - b->low);
  // The bootstrap mean never leaves the range of the data.
  EXPECT_GE(b->low, 0.60);
  EXPECT_LE(b->high, 1.00);
  // An interval, not the whole range: with 5 spread pairs it excludes the extremes.
  EXPECT_GT(b->low, 0.60);
  EXPECT_LT(b->high, 1.00);
}

TEST(Stats, BootstrapIsReproducible) {
  const std::vector<double> v{0.7, 0.75, 0.9, 0.8, 0.72};
  const auto a = BootstrapMeanCi95(v), b = BootstrapMeanCi95(v);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->low, b->low);
  EXPECT_EQ(a->high, b->high);
  EXPECT_FALSE(BootstrapMeanCi95({}));
  EXPECT_FALSE(BootstrapGeometricMeanCi95({1.0, 0.0}));
}

}  // namespace hugin::harness
