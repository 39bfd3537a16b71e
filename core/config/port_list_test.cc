#include "core/config/port_list.h"

#include <gtest/gtest.h>

namespace hugin::config_internal {
namespace {

std::vector<PortRange> Ok(std::string_view text) {
  auto result = ParsePortList(text);
  EXPECT_TRUE(result.ok()) << text << ": " << (result.ok() ? "" : result.error().message);
  if (result.ok()) return result.value();
  return {};
}

// The error message; "" (and a failure) if `text` parsed.
std::string Bad(std::string_view text) {
  auto result = ParsePortList(text);
  EXPECT_FALSE(result.ok()) << text;
  if (!result.ok()) return result.error().message;
  return "";
}

TEST(ParsePortList, SinglePort) {
  auto ranges = Ok("8080");
  ASSERT_EQ(ranges.size(), 1u);
  EXPECT_EQ(ranges[0].first, 8080);
  EXPECT_EQ(ranges[0].last, 8080);
}

TEST(ParsePortList, ListAndRangesWithWhitespace) {
  auto ranges = Ok(" 80 , 443,8000 - 8999 ,\t1-65535 ");
  ASSERT_EQ(ranges.size(), 4u);
  EXPECT_EQ(ranges[0].first, 80);
  EXPECT_EQ(ranges[1].first, 443);
  EXPECT_EQ(ranges[2].first, 8000);
  EXPECT_EQ(ranges[2].last, 8999);
  EXPECT_EQ(ranges[3].first, 1);
  EXPECT_EQ(ranges[3].last, 65535);
}

TEST(ParsePortList, SinglePortRange) {
  auto ranges = Ok("90-90");
  ASSERT_EQ(ranges.size(), 1u);
  EXPECT_EQ(ranges[0].first, 90);
  EXPECT_EQ(ranges[0].last, 90);
}

TEST(ParsePortList, NamesTheBadToken) {
  EXPECT_EQ(Bad("80,abc,443"), "bad port \"abc\": not a port number in 1..65535");
  EXPECT_EQ(Bad("80, 0"), "bad port \"0\": not a port number in 1..65535");
  EXPECT_EQ(Bad("65536"), "bad port \"65536\": not a port number in 1..65535");
  EXPECT_EQ(Bad("-1"), "bad port \"-1\": not a port range FIRST-LAST with ports in 1..65535");
  EXPECT_EQ(Bad("9000-8000"), "bad port \"9000-8000\": range start is greater than its end");
  EXPECT_EQ(Bad("80-"), "bad port \"80-\": not a port range FIRST-LAST with ports in 1..65535");
  EXPECT_EQ(Bad("1-2-3"),
            "bad port \"1-2-3\": not a port range FIRST-LAST with ports in 1..65535");
  EXPECT_EQ(Bad("8000-70000"),
            "bad port \"8000-70000\": not a port range FIRST-LAST with ports in 1..65535");
}

TEST(ParsePortList, EmptyEntriesAreErrors) {
  EXPECT_EQ(Bad("80,,443"), "empty entry in port list");
  EXPECT_EQ(Bad("80,"), "empty entry in port list");
  EXPECT_EQ(Bad(""), "empty entry in port list");
}

}  // namespace
}  // namespace hugin::config_internal
