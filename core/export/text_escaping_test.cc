#include "core/export/text_escaping.h"

#include <gtest/gtest.h>

namespace hugin {
namespace {

TEST(EscapeForLine, KeepsPrintableAndUtf8) {
  EXPECT_EQ(EscapeForLine("/hello?x=1"), "/hello?x=1");
  EXPECT_EQ(EscapeForLine("/caf\xC3\xA9"), "/caf\xC3\xA9");
  EXPECT_EQ(EscapeForLine("/\xF0\x9F\x98\x80"), "/\xF0\x9F\x98\x80");
}

TEST(EscapeForLine, EscapesControlAndInvalidBytes) {
  EXPECT_EQ(EscapeForLine("a\nb\rc\td"), "a\\x0Ab\\x0Dc\\x09d");
  EXPECT_EQ(EscapeForLine(std::string("x\0y", 3)), "x\\x00y");
  EXPECT_EQ(EscapeForLine("\x7F"), "\\x7F");
  EXPECT_EQ(EscapeForLine("\xFF\xC3"), "\\xFF\\xC3");      // invalid, truncated
  EXPECT_EQ(EscapeForLine("\xC0\xAF"), "\\xC0\\xAF");      // overlong '/'
  EXPECT_EQ(EscapeForLine("\xED\xA0\x80"), "\\xED\\xA0\\x80");  // surrogate
}

TEST(ToValidUtf8, ReplacesInvalidBytes) {
  EXPECT_EQ(ToValidUtf8("ok"), "ok");
  EXPECT_EQ(ToValidUtf8("a\xFF" "b"), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(ToValidUtf8("\xE2\x82"), "\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(ToValidUtf8("\xE2\x82\xAC"), "\xE2\x82\xAC");  // €
}

TEST(EscapeLabelValue, PrometheusRules) {
  EXPECT_EQ(EscapeLabelValue(R"(a\b"c)"), R"(a\\b\"c)");
  EXPECT_EQ(EscapeLabelValue("line1\nline2"), "line1\\nline2");
  EXPECT_EQ(EscapeLabelValue("bad\xFF"), "bad\xEF\xBF\xBD");
}

}  // namespace
}  // namespace hugin
