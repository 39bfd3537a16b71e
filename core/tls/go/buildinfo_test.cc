#include "core/tls/go/buildinfo.h"

#include <gtest/gtest.h>

namespace hugin::gotls {
namespace {

TEST(ParseGoVersion, Releases) {
  int major = 0, minor = 0;
  ASSERT_TRUE(ParseGoVersion("go1.24.3", &major, &minor));
  EXPECT_EQ(major, 1);
  EXPECT_EQ(minor, 24);
  ASSERT_TRUE(ParseGoVersion("go1.9", &major, &minor));
  EXPECT_EQ(minor, 9);
  ASSERT_TRUE(ParseGoVersion("go1.21rc2", &major, &minor));
  EXPECT_EQ(minor, 21);
  ASSERT_TRUE(ParseGoVersion("devel go1.23-4f7e1b9 Tue Jan 2 2024", &major, &minor));
  EXPECT_EQ(minor, 23);
}

TEST(ParseGoVersion, Garbage) {
  int major = 0, minor = 0;
  EXPECT_FALSE(ParseGoVersion("", &major, &minor));
  EXPECT_FALSE(ParseGoVersion("go1.", &major, &minor));
  EXPECT_FALSE(ParseGoVersion("gccgo", &major, &minor));
}

}  // namespace
}  // namespace hugin::gotls
