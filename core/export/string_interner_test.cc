#include "core/export/string_interner.h"

#include <gtest/gtest.h>

#include <string>

namespace hugin {
namespace {

TEST(StringInterner, SameStringSameIdDistinctStringsDistinctIds) {
  StringInterner in;
  EXPECT_EQ(in.Id("server"), 0u);
  EXPECT_EQ(in.Id("server"), 0u);
  EXPECT_EQ(in.Id("client"), 1u);
  EXPECT_EQ(in.Id("server"), 0u);  // after another name: not the last one seen
  EXPECT_EQ(in.Id(""), 2u);
  EXPECT_EQ(in.Id(std::string("a\0b", 3)), 3u);  // bytes after a NUL count
  EXPECT_EQ(in.Id("a"), 4u);
  EXPECT_EQ(in.size(), 5u);
  EXPECT_EQ(in.Name(0), "server");
  EXPECT_EQ(in.Name(3), std::string("a\0b", 3));
}

TEST(StringInterner, ManyNamesInAnyOrder) {
  StringInterner in;
  for (int i = 0; i < 1000; i++) EXPECT_EQ(in.Id("svc" + std::to_string(i)), uint32_t(i));
  for (int i = 999; i >= 0; i -= 7) {
    EXPECT_EQ(in.Id("svc" + std::to_string(i)), uint32_t(i));
    EXPECT_EQ(in.Name(i), "svc" + std::to_string(i));
  }
  EXPECT_EQ(in.size(), 1000u);
}

}  // namespace
}  // namespace hugin
