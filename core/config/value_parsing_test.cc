#include "core/config/value_parsing.h"

#include <gtest/gtest.h>

namespace hugin::config_internal {
namespace {

TEST(Trim, RemovesSurroundingWhitespaceOnly) {
  EXPECT_EQ(Trim("  a b \t\n"), "a b");
  EXPECT_EQ(Trim("   "), "");
  EXPECT_EQ(Trim(""), "");
}

TEST(ParseUnsigned, AcceptsDigitsInRange) {
  EXPECT_EQ(ParseUnsigned(" 42 ", 1, 100), 42u);
  EXPECT_EQ(ParseUnsigned("1", 1, 100), 1u);
  EXPECT_EQ(ParseUnsigned("100", 1, 100), 100u);
}

TEST(ParseUnsigned, RejectsSignsFractionsHexAndRange) {
  for (const char* bad : {"", " ", "-1", "+1", "1.5", "0x10", "1e3", "12a", "0", "101",
                          "99999999999999999999999"}) {
    EXPECT_FALSE(ParseUnsigned(bad, 1, 100).has_value()) << bad;
  }
}

TEST(ParseByteSize, PlainAndSuffixed) {
  EXPECT_EQ(ParseByteSize("65536"), 65536u);
  EXPECT_EQ(ParseByteSize("64K"), 64u << 10);
  EXPECT_EQ(ParseByteSize("64k"), 64u << 10);
  EXPECT_EQ(ParseByteSize("16M"), 16u << 20);
  EXPECT_EQ(ParseByteSize("16MiB"), 16u << 20);
  EXPECT_EQ(ParseByteSize("16mb"), 16u << 20);
  EXPECT_EQ(ParseByteSize("1G"), 1u << 30);
  EXPECT_EQ(ParseByteSize("100B"), 100u);
}

TEST(ParseByteSize, RejectsGarbage) {
  for (const char* bad : {"", "M", "16X", "16 M M", "-16M", "16ib", "1.5M", "99999999999999999999G"}) {
    EXPECT_FALSE(ParseByteSize(bad).has_value()) << bad;
  }
}

TEST(ParseBool, GoStyleValues) {
  for (const char* yes : {"true", "TRUE", "True", "1", "t", "yes", "on"}) {
    EXPECT_EQ(ParseBool(yes), true) << yes;
  }
  for (const char* no : {"false", "FALSE", "0", "f", "no", "off"}) {
    EXPECT_EQ(ParseBool(no), false) << no;
  }
  EXPECT_FALSE(ParseBool("maybe").has_value());
  EXPECT_FALSE(ParseBool("").has_value());
}

TEST(ParseTracePrinter, KnownValuesOnly) {
  EXPECT_EQ(ParseTracePrinter("text"), TracePrinter::kText);
  EXPECT_EQ(ParseTracePrinter(" JSON "), TracePrinter::kJson);
  EXPECT_EQ(ParseTracePrinter("disabled"), TracePrinter::kDisabled);
  EXPECT_FALSE(ParseTracePrinter("counter").has_value());
  EXPECT_FALSE(ParseTracePrinter("json_indent").has_value());
}

}  // namespace
}  // namespace hugin::config_internal
