#include "core/common/result.h"

#include <gtest/gtest.h>

#include <memory>

namespace hugin {
namespace {

Result<int> Half(int n) {
  if (n % 2 != 0) return Error{"odd: " + std::to_string(n)};
  return n / 2;
}

TEST(Result, CarriesAValueOrAnError) {
  auto a = Half(8);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a, 4);
  auto b = Half(7);
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().message, "odd: 7");
}

TEST(Result, MovesOutMoveOnlyValues) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(5);
  std::unique_ptr<int> p = std::move(r).value();
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(*p, 5);
}

TEST(Result, StatusHasNoValue) {
  Status s = Ok{};
  EXPECT_TRUE(s.ok());
  Status e = Error{"no"};
  EXPECT_EQ(e.error().message, "no");
}

}  // namespace
}  // namespace hugin
