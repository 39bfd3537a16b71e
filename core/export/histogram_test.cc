#include "core/export/histogram.h"

#include <gtest/gtest.h>

#include <array>

#include "core/export/prometheus_text.h"

namespace hugin {
namespace {

constexpr std::array<double, 3> kBounds = {0, 1, 10};

TEST(Histogram, BucketsAreInclusiveAndCumulative) {
  Histogram h(kBounds);
  for (double v : {0.0, 0.5, 1.0, 1.0001, 10.0, 11.0, 1000.0}) h.Observe(v);
  EXPECT_EQ(h.CumulativeCount(0), 1u);  // le=0: 0
  EXPECT_EQ(h.CumulativeCount(1), 3u);  // le=1: 0, 0.5, 1
  EXPECT_EQ(h.CumulativeCount(2), 5u);  // le=10: + 1.0001, 10
  EXPECT_EQ(h.CumulativeCount(3), 7u);  // +Inf
  EXPECT_EQ(h.count(), 7u);
  EXPECT_DOUBLE_EQ(h.sum(), 0.5 + 1 + 1.0001 + 10 + 11 + 1000);
}

TEST(Histogram, AddsRawBucketsAndMergesOnlyTheSameBounds) {
  Histogram h(kBounds);
  h.Observe(0.5);
  const uint64_t raw[] = {1, 0, 2, 3};  // per bucket: le=0, le=1, le=10, +Inf
  EXPECT_TRUE(h.AddBuckets(raw, 100));
  EXPECT_EQ(h.CumulativeCount(0), 1u);
  EXPECT_EQ(h.CumulativeCount(1), 2u);
  EXPECT_EQ(h.CumulativeCount(2), 4u);
  EXPECT_EQ(h.CumulativeCount(3), 7u);
  EXPECT_EQ(h.count(), 7u);
  EXPECT_DOUBLE_EQ(h.sum(), 100.5);
  const uint64_t too_few[] = {1, 1, 1};  // no +Inf bucket
  EXPECT_FALSE(h.AddBuckets(too_few, 5));
  EXPECT_EQ(h.count(), 7u);

  Histogram other(kBounds);
  other.Observe(20);
  EXPECT_TRUE(h.Merge(other));
  EXPECT_EQ(h.CumulativeCount(3), 8u);
  EXPECT_DOUBLE_EQ(h.sum(), 120.5);
  EXPECT_EQ(other.count(), 1u);  // unchanged
  constexpr std::array<double, 3> kOtherBounds = {0, 2, 10};
  Histogram different(kOtherBounds);
  different.Observe(1);
  EXPECT_FALSE(h.Merge(different));
  EXPECT_EQ(h.count(), 8u);
}

TEST(PrometheusText, NumberFormatting) {
  EXPECT_EQ(FormatPromNumber(0), "0");
  EXPECT_EQ(FormatPromNumber(0.005), "0.005");
  EXPECT_EQ(FormatPromNumber(7.5), "7.5");
  EXPECT_EQ(FormatPromNumber(10), "10");
  EXPECT_EQ(FormatPromNumber(8192), "8192");
  EXPECT_EQ(FormatPromNumber(1.0 / 0.0), "+Inf");
}

TEST(PrometheusText, HistogramSamples) {
  Histogram h(kBounds);
  h.Observe(0.5);
  h.Observe(20);
  std::string out;
  AppendHistogramSamples(out, "x_seconds", {{"a", "b\"c"}}, h);
  EXPECT_EQ(out,
            "x_seconds_bucket{a=\"b\\\"c\",le=\"0\"} 0\n"
            "x_seconds_bucket{a=\"b\\\"c\",le=\"1\"} 1\n"
            "x_seconds_bucket{a=\"b\\\"c\",le=\"10\"} 1\n"
            "x_seconds_bucket{a=\"b\\\"c\",le=\"+Inf\"} 2\n"
            "x_seconds_sum{a=\"b\\\"c\"} 20.5\n"
            "x_seconds_count{a=\"b\\\"c\"} 2\n");
}

}  // namespace
}  // namespace hugin
