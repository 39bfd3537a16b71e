#include "harness/model/identity.h"

#include <gtest/gtest.h>

namespace hugin::harness {

TEST(Identity, PathRoundTrips) {
  const RequestIdentity id{"r", "6000-2-h"};
  EXPECT_EQ(IdentityPath(id, 0), "/r/6000-2-h/0");
  for (const std::string rest : {"", "/api/items", "?size=3", "/x?y=/z", "/"}) {
    const auto p = ParseIdentityPath(IdentityPath(id, 9999999999999999999ULL) + rest);
    ASSERT_TRUE(p) << rest;
    EXPECT_EQ(p->prefix, "r");
    EXPECT_EQ(p->run_id, "6000-2-h");
    EXPECT_EQ(p->n, 9999999999999999999ULL);
  }
}

TEST(Identity, PathsWithoutOneAreRejected) {
  for (const char* path : {"", "/", "/hello", "/r/run", "/r/run/", "/r/run/x", "/r/run/12x",
                           "/r/run/-1", "r/run/1", "/r//1", "//run/1", "/r/ru n/1",
                           "/r/run/123456789012345678901", "/hugin.fixture.Echo/Unary"})
    EXPECT_FALSE(ParseIdentityPath(path)) << path;
}

TEST(Identity, TokensAreLettersDigitsDashUnderscore) {
  EXPECT_TRUE(ValidIdentityToken("0-1-b_x"));
  EXPECT_FALSE(ValidIdentityToken(""));
  EXPECT_FALSE(ValidIdentityToken("a/b"));
  EXPECT_FALSE(ValidIdentityToken("a?b"));
  EXPECT_FALSE(ValidIdentityToken("a.b"));
}

TEST(Identity, RoleOfPathNamesTheRunsLoads) {
  uint64_t n = 0;
  EXPECT_EQ(RoleOfPath("/r/0-1-h/42/api?x=1", "0-1-h", &n), PathRole::kMeasured);
  EXPECT_EQ(n, 42u);
  EXPECT_EQ(RoleOfPath("/w/0-1-h/42/api", "0-1-h"), PathRole::kWarmup);
  EXPECT_EQ(RoleOfPath("/r/0-2-h/42", "0-1-h"), PathRole::kOther);  // another run
  EXPECT_EQ(RoleOfPath("/x/0-1-h/42", "0-1-h"), PathRole::kOther);  // another prefix
  EXPECT_EQ(RoleOfPath("/hello", "0-1-h"), PathRole::kOther);
}

}  // namespace hugin::harness
