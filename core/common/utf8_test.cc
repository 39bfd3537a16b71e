#include "core/common/utf8.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace hugin {
namespace {

size_t Len(std::string_view s, size_t i = 0) { return Utf8SequenceLength(s, i); }

TEST(Utf8SequenceLength, ValidSequencesOfEachLength) {
  EXPECT_EQ(Len("a"), 1u);
  EXPECT_EQ(Len(std::string(1, '\0')), 1u);
  EXPECT_EQ(Len("\x7F"), 1u);
  EXPECT_EQ(Len("\xC2\x80"), 2u);          // U+0080, the first 2-byte code point
  EXPECT_EQ(Len("\xC3\xA9"), 2u);          // é
  EXPECT_EQ(Len("\xDF\xBF"), 2u);          // U+07FF
  EXPECT_EQ(Len("\xE0\xA0\x80"), 3u);      // U+0800, the first 3-byte code point
  EXPECT_EQ(Len("\xE2\x82\xAC"), 3u);      // €
  EXPECT_EQ(Len("\xED\x9F\xBF"), 3u);      // U+D7FF, just below the surrogates
  EXPECT_EQ(Len("\xEE\x80\x80"), 3u);      // U+E000, just above them
  EXPECT_EQ(Len("\xEF\xBF\xBD"), 3u);      // U+FFFD
  EXPECT_EQ(Len("\xF0\x90\x80\x80"), 4u);  // U+10000, the first 4-byte code point
  EXPECT_EQ(Len("\xF0\x9F\x98\x80"), 4u);  // 😀
  EXPECT_EQ(Len("\xF4\x8F\xBF\xBF"), 4u);  // U+10FFFF, the last code point
}

TEST(Utf8SequenceLength, OverlongSurrogateAndOutOfRangeFormsAreInvalid) {
  EXPECT_EQ(Len("\xC0\xAF"), 0u);          // overlong '/'
  EXPECT_EQ(Len("\xC1\xBF"), 0u);
  EXPECT_EQ(Len("\xE0\x9F\xBF"), 0u);      // overlong U+07FF
  EXPECT_EQ(Len("\xF0\x8F\xBF\xBF"), 0u);  // overlong U+FFFF
  EXPECT_EQ(Len("\xED\xA0\x80"), 0u);      // U+D800, a surrogate
  EXPECT_EQ(Len("\xED\xBF\xBF"), 0u);      // U+DFFF
  EXPECT_EQ(Len("\xF4\x90\x80\x80"), 0u);  // U+110000
  for (int b = 0xF5; b <= 0xFF; ++b) EXPECT_EQ(Len(std::string(1, char(b)) + "\x80\x80\x80"), 0u);
}

TEST(Utf8SequenceLength, StrayTruncatedOrBrokenSequencesAreInvalid) {
  EXPECT_EQ(Len("\x80"), 0u);              // a continuation byte alone
  EXPECT_EQ(Len("\xBF"), 0u);
  EXPECT_EQ(Len("\xC3"), 0u);              // cut off at the end of the input
  EXPECT_EQ(Len("\xE2\x82"), 0u);
  EXPECT_EQ(Len("\xF0\x9F\x98"), 0u);
  EXPECT_EQ(Len("\xC3\x41"), 0u);          // a non-continuation byte inside
  EXPECT_EQ(Len("\xE2\x82\x41"), 0u);
  EXPECT_EQ(Len("\xF0\x9F\xC3\xA9"), 0u);
}

TEST(Utf8SequenceLength, LooksOnlyAtTheSequenceStartingAtI) {
  const std::string s = "a\xC3\xA9\xE2\x82\xAC\xFF";
  EXPECT_EQ(Len(s, 0), 1u);
  EXPECT_EQ(Len(s, 1), 2u);
  EXPECT_EQ(Len(s, 2), 0u);  // the middle of é
  EXPECT_EQ(Len(s, 3), 3u);
  EXPECT_EQ(Len(s, 6), 0u);
  EXPECT_EQ(Len(std::string_view(s).substr(0, 5), 3), 0u);  // € cut by the view's end
}

}  // namespace
}  // namespace hugin
