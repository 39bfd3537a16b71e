// Frame headers, per-type validation, header block fragments, and the FrameReader's
// reassembly across chunks.
#include "core/protocols/http2/frame.h"

#include <gtest/gtest.h>

#include <vector>

#include "core/protocols/http2/frame_reader.h"
#include "core/protocols/http2/h2_testing.h"

namespace hugin::http2 {
namespace {

using testing::Frame;

TEST(FrameHeader, Decodes) {
  FrameHeader h = DecodeFrameHeader(std::string("\x01\x02\x03\x01\x25\x80\x00\x00\x07", 9));
  EXPECT_EQ(h.length, 0x010203u);
  EXPECT_EQ(h.type, kHeaders);
  EXPECT_EQ(h.flags, 0x25);
  EXPECT_EQ(h.stream_id, 7u);
  EXPECT_TRUE(h.reserved_bit);
}

TEST(FrameHeader, Validation) {
  auto v = [](uint32_t len, uint8_t type, uint8_t flags, uint32_t sid, bool strict = false) {
    FrameHeader h{len, type, flags, sid, false};
    return ValidateFrameHeader(h, kDefaultMaxFrameSize, strict);
  };
  EXPECT_EQ(v(10, kData, 0, 1), std::nullopt);
  EXPECT_EQ(v(10, kData, 0, 0), FrameError::kBadStreamId);
  EXPECT_EQ(v(16385, kData, 0, 1), FrameError::kTooLong);
  EXPECT_EQ(v(8, kPing, 0, 0), std::nullopt);
  EXPECT_EQ(v(7, kPing, 0, 0), FrameError::kBadLength);
  EXPECT_EQ(v(6, kSettings, 0, 0), std::nullopt);
  EXPECT_EQ(v(7, kSettings, 0, 0), FrameError::kBadLength);
  EXPECT_EQ(v(6, kSettings, kFlagAck, 0), FrameError::kBadLength);
  EXPECT_EQ(v(6, kSettings, 0, 3), FrameError::kBadStreamId);
  EXPECT_EQ(v(4, kRstStream, 0, 1), std::nullopt);
  EXPECT_EQ(v(4, kRstStream, 0, 0), FrameError::kBadStreamId);
  EXPECT_EQ(v(4, kWindowUpdate, 0, 0), std::nullopt);
  EXPECT_EQ(v(7, kGoaway, 0, 0), FrameError::kBadLength);
  EXPECT_EQ(v(5, kPriority, 0, 1), std::nullopt);
  EXPECT_EQ(v(3, 0x42, 0, 0), std::nullopt);
  EXPECT_EQ(v(3, 0x42, 0, 0, /*strict=*/true), FrameError::kUnknownType);
}

TEST(FrameHeader, HeaderBlockFragmentStripsPaddingAndPriority) {
  FrameHeader h{0, kHeaders, kFlagPadded | kFlagPriority, 1, false};
  std::string payload = std::string(1, 2) + "PPPPP" + "block" + "zz";
  auto f = HeaderBlockFragment(h, payload);
  ASSERT_TRUE(std::holds_alternative<std::string_view>(f));
  EXPECT_EQ(std::get<std::string_view>(f), "block");
  h.flags = kFlagPadded;
  auto bad = HeaderBlockFragment(h, std::string(1, 9) + "abc");
  ASSERT_TRUE(std::holds_alternative<FrameError>(bad));
  EXPECT_EQ(std::get<FrameError>(bad), FrameError::kBadPadding);
  FrameHeader pp{0, kPushPromise, 0, 1, false};
  EXPECT_EQ(std::get<std::string_view>(HeaderBlockFragment(pp, std::string("\0\0\0\2blk", 7))),
            "blk");
}

// Records what the reader reports.
struct Recorder : FrameSink {
  std::vector<std::string> events;
  void OnFrame(Sender, const FrameHeader& h, std::string_view p, bool lost,
               const FrameTimes& t) override {
    events.push_back("frame " + std::to_string(h.type) + " " + std::string(p) +
                     (lost ? " lost" : "") + " @" + std::to_string(t.start_ns) + "-" +
                     std::to_string(t.end_ns));
  }
  void OnDataBegin(Sender, const FrameHeader& h, const FrameTimes&) override {
    events.push_back("data " + std::to_string(h.length));
  }
  void OnDataBytes(Sender, const FrameHeader&, std::string_view b) override {
    events.push_back("bytes " + std::string(b));
  }
  void OnDataLost(Sender, const FrameHeader&, uint64_t n) override {
    events.push_back("lost " + std::to_string(n));
  }
  void OnDataEnd(Sender, const FrameHeader&, uint64_t n, uint64_t end) override {
    events.push_back("end " + std::to_string(n) + " @" + std::to_string(end));
  }
  void OnDesync(Sender) override { events.push_back("desync"); }
};

TEST(FrameReader, PrefaceThenFramesSplitAnywhere) {
  std::string wire = std::string(kClientPreface) + Frame(kPing, 0, 0, "12345678") +
                     testing::Data(1, "hello", true);
  for (size_t cut = 1; cut < wire.size(); ++cut) {
    Options o;
    o.streams_start_at_zero = true;
    Stats st;
    Recorder r;
    FrameReader reader(Sender::kClient, o, &r, &st);
    reader.Add(Chunk{0, static_cast<uint32_t>(cut), std::string_view(wire).substr(0, cut), 1});
    reader.Add(Chunk{cut, static_cast<uint32_t>(wire.size() - cut),
                     std::string_view(wire).substr(cut), 2});
    std::string all;
    for (const auto& e : r.events) {
      if (!e.starts_with("bytes ")) all += e + "|";
    }
    const uint64_t ping_end = cut < 24 + 17 ? 2 : 1;
    const uint64_t ping_start = cut < 25 ? 2 : 1;
    EXPECT_EQ(all, "frame 6 12345678 @" + std::to_string(ping_start) + "-" +
                       std::to_string(ping_end) + "|data 5|end 5 @2|")
        << cut;
    EXPECT_TRUE(reader.saw_preface());
    EXPECT_EQ(st.frames, 2u);
  }
}

TEST(FrameReader, TruncatedDataIsSkippedByLength) {
  Options o;
  o.streams_start_at_zero = true;
  Stats st;
  Recorder r;
  FrameReader reader(Sender::kServer, o, &r, &st);
  std::string wire =
      testing::Data(1, std::string(100, 'd'), false) + Frame(kPing, 0, 0, "abcdefgh");
  std::string call1 = wire.substr(0, 109);
  reader.Add(Chunk{0, 109, std::string_view(call1).substr(0, 12), 1});  // 3 data bytes captured
  reader.Add(Chunk{109, 17, std::string_view(wire).substr(109), 2});
  ASSERT_EQ(r.events.size(), 5u);
  EXPECT_EQ(r.events[1], "bytes ddd");
  EXPECT_EQ(r.events[2], "lost 97");
  EXPECT_EQ(r.events[3], "end 100 @1");
  EXPECT_EQ(r.events[4], "frame 6 abcdefgh @2-2");
  EXPECT_EQ(st.out_of_sync, 0u);
}

TEST(FrameReader, PaddedDataDeliversOnlyData) {
  Options o;
  o.streams_start_at_zero = true;
  Stats st;
  Recorder r;
  FrameReader reader(Sender::kServer, o, &r, &st);
  std::string wire = Frame(kData, kFlagPadded, 1, std::string(1, 3) + "abc" + "PAD");
  reader.Add(Chunk{0, static_cast<uint32_t>(wire.size()), wire, 1});
  ASSERT_EQ(r.events.size(), 3u);
  EXPECT_EQ(r.events[1], "bytes abc");
  EXPECT_EQ(r.events[2], "end 3 @1");
}

TEST(FrameReader, OversizedNonDataPayloadIsBoundedAndLost) {
  Options o;
  o.streams_start_at_zero = true;
  o.max_frame_payload_bytes = 16;
  Stats st;
  Recorder r;
  FrameReader reader(Sender::kServer, o, &r, &st);
  std::string wire = Frame(0x33, 0, 0, std::string(100, 'u')) + Frame(kPing, 0, 0, "abcdefgh");
  reader.Add(Chunk{0, static_cast<uint32_t>(wire.size()), wire, 1});
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_EQ(r.events[0], "frame 51  lost @1-1");
  EXPECT_EQ(r.events[1], "frame 6 abcdefgh @1-1");
}

TEST(FrameReader, ResyncNeedsFramesEndingAtTheCallEnd) {
  Options o;  // late attach
  Stats st;
  Recorder r;
  FrameReader reader(Sender::kServer, o, &r, &st);
  std::string two = Frame(kPing, 0, 0, "abcdefgh") + testing::Data(1, "xy", false);
  // Starts with a valid header but the call is one byte longer than its frames: no resync.
  std::string longer = two + "?";
  reader.Add(Chunk{1000, static_cast<uint32_t>(longer.size()), longer, 1});
  EXPECT_FALSE(reader.in_sync());
  EXPECT_TRUE(r.events.empty());
  reader.Add(Chunk{1000 + longer.size(), static_cast<uint32_t>(two.size()), two, 2});
  EXPECT_TRUE(reader.in_sync());
  EXPECT_EQ(st.resyncs, 1u);
  EXPECT_EQ(st.bytes_skipped, longer.size());
  ASSERT_EQ(r.events.size(), 4u);
  EXPECT_EQ(r.events[0], "frame 6 abcdefgh @2-2");
}

}  // namespace
}  // namespace hugin::http2
