// HeaderDecoder: in sync with nghttp2's inflater, and tolerant (late attach / after a loss).
// Blocks are made by nghttp2's deflater; expected fields are literals.
#include "core/protocols/http2/hpack.h"

#include <gtest/gtest.h>

#include "core/protocols/http2/h2_testing.h"
#include "core/protocols/http2/tolerant_block.h"

namespace hugin::http2 {
namespace {

using testing::Encoder;

std::string Get(const DecodedBlock& b, const std::string& name) {
  for (const auto& f : b.fields) {
    if (f.name == name) return f.value;
  }
  return "<absent>";
}

TEST(Hpack, InSyncFollowsTheDynamicTable) {
  Options o;
  Stats st;
  HeaderDecoder d(true, o, &st);
  Encoder e;
  auto b1 =
      d.Decode(e.Encode({{":method", "GET"}, {"x-custom", "one"}, {":authority", "a.example"}}));
  auto b2 =
      d.Decode(e.Encode({{":method", "GET"}, {"x-custom", "one"}, {":authority", "a.example"}}));
  EXPECT_EQ(Get(b2, "x-custom"), "one");
  EXPECT_EQ(Get(b2, ":authority"), "a.example");
  EXPECT_EQ(b2.unknown_fields, 0);
  EXPECT_EQ(st.hpack_errors, 0u);
  EXPECT_EQ(Get(b1, ":method"), "GET");
}

TEST(Hpack, TableSizeUpdates) {
  Options o;
  Stats st;
  HeaderDecoder d(true, o, &st);
  Encoder e;
  d.Decode(e.Encode({{"x-a", "1"}}));
  e.ChangeTableSize(0);  // the next block starts with a size update to 0: the table empties
  auto b = d.Decode(e.Encode({{"x-a", "1"}, {"x-b", "2"}}));
  EXPECT_EQ(Get(b, "x-a"), "1");
  EXPECT_EQ(Get(b, "x-b"), "2");
  d.SetMaxTableSize(8192);  // the receiver's SETTINGS_HEADER_TABLE_SIZE raised
  e.ChangeTableSize(8192);
  auto b3 = d.Decode(e.Encode({{"x-c", std::string(5000, 'c')}}));
  auto b4 = d.Decode(e.Encode({{"x-c", std::string(5000, 'c')}}));
  EXPECT_EQ(Get(b4, "x-c").size(), 5000u);
  EXPECT_EQ(st.hpack_errors, 0u);
  EXPECT_EQ(Get(b3, "x-c").size(), 5000u);
}

TEST(Hpack, InSyncErrorSwitchesToTolerant) {
  Options o;
  Stats st;
  HeaderDecoder d(true, o, &st);
  auto b = d.Decode(std::string("\xff\xff\xff\xff\x0f", 5));  // index far past any table
  EXPECT_TRUE(b.failed);
  EXPECT_EQ(st.hpack_errors, 1u);
  EXPECT_TRUE(d.tolerant());
}

TEST(Hpack, TolerantReportsOldReferencesUnknownAndLearnsNewOnes) {
  Options o;
  Stats st;
  Encoder e;
  e.Encode({{"x-old", "before"}});  // inserted before the attach: never seen
  HeaderDecoder d(false, o, &st);
  auto b1 = d.Decode(e.Encode({{":method", "POST"}, {"x-old", "before"}, {"x-new", "after"}}));
  EXPECT_EQ(Get(b1, ":method"), "POST");
  EXPECT_EQ(Get(b1, "x-old"), "<absent>");
  EXPECT_EQ(Get(b1, "x-new"), "after");
  EXPECT_EQ(b1.unknown_fields, 1);
  auto b2 = d.Decode(e.Encode({{"x-new", "after"}, {"x-old", "before"}}));
  EXPECT_EQ(Get(b2, "x-new"), "after");  // a reference to an entry inserted after the attach
  EXPECT_EQ(b2.unknown_fields, 1);
  EXPECT_EQ(st.unknown_fields, 2u);
  EXPECT_EQ(st.hpack_errors, 0u);
}

TEST(Hpack, TolerantHuffmanAndNeverIndexedLiterals) {
  Options o;
  Stats st;
  Encoder e;
  HeaderDecoder d(false, o, &st);
  auto b =
      d.Decode(e.Encode({{":path", "/a/fairly/long/path?with=query"}, {"authorization", "secret"}},
                        /*never_index=*/true));
  EXPECT_EQ(Get(b, ":path"), "/a/fairly/long/path?with=query");
  EXPECT_EQ(Get(b, "authorization"), "secret");
  EXPECT_EQ(b.unknown_fields, 0);
}

TEST(Hpack, TolerantRejectsMalformedBlocks) {
  Options o;
  Stats st;
  HeaderDecoder d(false, o, &st);
  EXPECT_TRUE(d.Decode(std::string("\x40\x85", 2)).failed);  // string longer than the block
  EXPECT_TRUE(d.Decode(std::string("\x80", 1)).failed);      // index 0
  EXPECT_EQ(st.hpack_errors, 2u);
  EXPECT_EQ(Get(d.Decode(std::string("\x82", 1)), ":method"), "GET");  // still usable
}

TEST(Hpack, ReadHpackInt) {
  std::string s("\x1f\x9a\x0a", 3);  // RFC 7541 C.1.2: 1337 with a 5-bit prefix
  size_t off = 0;
  uint64_t v = 0;
  ASSERT_TRUE(ReadHpackInt(s, &off, 5, &v));
  EXPECT_EQ(v, 1337u);
  EXPECT_EQ(off, 3u);
  off = 0;
  EXPECT_FALSE(ReadHpackInt(std::string("\x1f\x9a", 2), &off, 5, &v));
}

}  // namespace
}  // namespace hugin::http2
