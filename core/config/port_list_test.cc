#include "core/config/port_list.h"

#include <gtest/gtest.h>

namespace hugin::config_internal {
namespace {

std::vector<PortRange> Ok(std::string_view text) {
  auto result = ParsePortList(text);
  EXPECT_TRUE(std::holds_alternative<std::vector<PortRange>>(result)) << text;
  if (auto* ranges = std::get_if<std::vector<PortRange>>(&result)) return *ranges;
  return {};
}

PortListError Bad(std::string_view text) {
  auto result = ParsePortList(text);
  EXPECT_TRUE(std::holds_alternative<PortListError>(result)) << text;
  if (auto* err = std::get_if<PortListError>(&result)) return *err;
  return {};
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
  EXPECT_EQ(Bad("80,abc,443").token, "abc");
  EXPECT_EQ(Bad("80, 0").token, "0");
  EXPECT_EQ(Bad("65536").token, "65536");
  EXPECT_EQ(Bad("-1").token, "-1");
  EXPECT_EQ(Bad("9000-8000").token, "9000-8000");
  EXPECT_EQ(Bad("9000-8000").reason, "range start is greater than its end");
  EXPECT_EQ(Bad("80-").token, "80-");
  EXPECT_EQ(Bad("1-2-3").token, "1-2-3");
  EXPECT_EQ(Bad("8000-70000").token, "8000-70000");
}

TEST(ParsePortList, EmptyEntriesAreErrors) {
  EXPECT_EQ(Bad("80,,443").reason, "empty entry in port list");
  EXPECT_EQ(Bad("80,").reason, "empty entry in port list");
  EXPECT_EQ(Bad("").reason, "empty entry in port list");
}

}  // namespace
}  // namespace hugin::config_internal
