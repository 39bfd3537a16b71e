#include "core/config/glob.h"

#include <gtest/gtest.h>

#include "core/config/executable_matcher.h"

namespace hugin::config_internal {
namespace {

// The regex, or "error: MESSAGE".
std::string Regex(const std::string& glob) {
  auto regex = GlobToRegex(glob);
  return regex.ok() ? regex.value() : "error: " + regex.error().message;
}

bool GlobMatches(const std::string& glob, const std::string& path) {
  auto regex = GlobToRegex(glob);
  EXPECT_TRUE(regex.ok()) << glob;
  if (!regex) return false;
  auto matcher = ExecutableMatcher::Compile(*regex);
  EXPECT_TRUE(matcher.ok()) << *regex;
  return matcher.ok() && matcher.value().Matches(path);
}

// Found by //core/config:config_fuzzer (its corpus keeps the input as
// regression-star-run-glob): BEYLA_AUTO_TARGET_EXE with a run of 35 stars after "*/" became
// 35 ".*" in a row, and matching one executable path that did not match took seconds of
// std::regex backtracking (discovery matches every process's path).
TEST(GlobToRegex, ARunOfStarsIsOneStar) {
  const std::string glob = "*/" + std::string(35, '*') + "se\x01rve+{,-v0[-9]}";
  EXPECT_EQ(Regex(glob), "^.*/.*se\x01rve\\+(?:|-v0[-9])$");
  EXPECT_EQ(Regex("a**b***c"), "^a.*b.*c$");
  EXPECT_FALSE(GlobMatches(glob, "/usr/local/bin/server"));
  EXPECT_TRUE(GlobMatches(glob, "/opt/x/se\x01rve+-v09"));
}

TEST(GlobToRegex, IsAnchored) {
  EXPECT_EQ(Regex("*/server"), "^.*/server$");
  EXPECT_TRUE(GlobMatches("*/server", "/usr/local/bin/server"));
  EXPECT_FALSE(GlobMatches("*/server", "/usr/local/bin/server2"));
  EXPECT_FALSE(GlobMatches("*/server", "/usr/bin/myserver"));
}

TEST(GlobToRegex, StarSpansDirectories) {
  EXPECT_TRUE(GlobMatches("*node*", "/usr/bin/node"));
  EXPECT_TRUE(GlobMatches("*node*", "/opt/nodejs/bin/x"));
  EXPECT_FALSE(GlobMatches("*node*", "/usr/bin/python3"));
}

TEST(GlobToRegex, RegexCharactersAreLiteral) {
  EXPECT_TRUE(GlobMatches("/opt/app.v1+(x)", "/opt/app.v1+(x)"));
  EXPECT_FALSE(GlobMatches("/opt/app.v1", "/opt/appXv1"));
  EXPECT_TRUE(GlobMatches("/a$b^c|d", "/a$b^c|d"));
}

TEST(GlobToRegex, QuestionMarkClassesAndAlternatives) {
  EXPECT_TRUE(GlobMatches("/bin/py?", "/bin/py3"));
  EXPECT_FALSE(GlobMatches("/bin/py?", "/bin/py"));
  EXPECT_TRUE(GlobMatches("/bin/python[23]", "/bin/python3"));
  EXPECT_FALSE(GlobMatches("/bin/python[23]", "/bin/python4"));
  EXPECT_TRUE(GlobMatches("/bin/x[!a-c]", "/bin/xd"));
  EXPECT_FALSE(GlobMatches("/bin/x[!a-c]", "/bin/xb"));
  EXPECT_TRUE(GlobMatches("*/{node,deno}", "/usr/bin/deno"));
  EXPECT_FALSE(GlobMatches("*/{node,deno}", "/usr/bin/bun"));
  EXPECT_TRUE(GlobMatches("a,b", "a,b"));
  EXPECT_TRUE(GlobMatches("\\*", "*"));
  EXPECT_FALSE(GlobMatches("\\*", "x"));
}

TEST(GlobToRegex, RejectsUnterminated) {
  const std::string error = "error: not a valid glob (unclosed [ or {, or trailing \\)";
  EXPECT_EQ(Regex("/bin/[ab"), error);
  EXPECT_EQ(Regex("*/{node,deno"), error);
  EXPECT_EQ(Regex("abc\\"), error);
}

}  // namespace
}  // namespace hugin::config_internal
