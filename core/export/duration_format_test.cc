#include "core/export/duration_format.h"

#include <gtest/gtest.h>

namespace hugin {
namespace {

TEST(FormatDuration, BeylaPostExamples) {
  EXPECT_EQ(FormatDuration(15'220'000), "15.22ms");
  EXPECT_EQ(FormatDuration(689'900), "689.9\xC2\xB5s");
}

TEST(FormatDuration, Units) {
  EXPECT_EQ(FormatDuration(0), "0s");
  EXPECT_EQ(FormatDuration(1), "1ns");
  EXPECT_EQ(FormatDuration(999), "999ns");
  EXPECT_EQ(FormatDuration(1'000), "1\xC2\xB5s");
  EXPECT_EQ(FormatDuration(1'500), "1.5\xC2\xB5s");
  EXPECT_EQ(FormatDuration(200'000'000), "200ms");
  EXPECT_EQ(FormatDuration(1'000'000'000), "1s");
  EXPECT_EQ(FormatDuration(1'500'000'000), "1.5s");
  EXPECT_EQ(FormatDuration(125'000'000'000), "125s");
}

TEST(FormatDuration, RoundsToFourSignificantDigits) {
  EXPECT_EQ(FormatDuration(15'223'456), "15.22ms");
  EXPECT_EQ(FormatDuration(15'225'600), "15.23ms");
  EXPECT_EQ(FormatDuration(123'456), "123.5\xC2\xB5s");
  EXPECT_EQ(FormatDuration(1'234'567), "1.235ms");
  EXPECT_EQ(FormatDuration(201'234'567), "201.2ms");
  EXPECT_EQ(FormatDuration(12'345'678'901), "12.35s");
  EXPECT_EQ(FormatDuration(12'345'678'901'234), "12346s");
}

TEST(FormatDuration, RoundingCarriesIntoTheNextUnit) {
  EXPECT_EQ(FormatDuration(999'960), "1ms");
  EXPECT_EQ(FormatDuration(999'960'000), "1s");
  EXPECT_EQ(FormatDuration(999'940), "999.9\xC2\xB5s");
}

}  // namespace
}  // namespace hugin
