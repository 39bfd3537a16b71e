#include "core/export/trace_lines.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

#include <nlohmann/json.hpp>

namespace hugin {
namespace {

Span SpanNumber(int i) {
  Span s;
  s.kind = i % 2 ? SpanKind::kServer : SpanKind::kClient;
  s.start_ns = 1'000'000'000 + i;
  s.processing_start_ns = s.start_ns + 10;
  s.end_ns = s.start_ns + 1000 * i;
  // Spans 0..9 in one second, then a second apart: the cached time text must follow.
  s.wall_start_ns = 1681912144LL * 1000000000LL + (i < 10 ? i : (i - 9) * 1000000000LL);
  s.method = "GET";
  s.path = "/p" + std::to_string(i) + (i % 3 ? "" : "\"\xFF\n");
  s.status = 200;
  s.local = {"10.0.0.1", 8080};
  s.peer = {"10.0.0.2", uint16_t(40000 + i)};
  s.pid = 7;
  s.service_name = "svc";
  return s;
}

// Reads everything written to an open_memstream stream.
class MemOut {
 public:
  MemOut() : file_(open_memstream(&data_, &size_)) {}
  ~MemOut() {
    std::fclose(file_);
    std::free(data_);
  }
  FILE* file() { return file_; }
  std::string Text() {
    std::fflush(file_);
    return std::string(data_, size_);
  }

 private:
  char* data_ = nullptr;
  size_t size_ = 0;
  FILE* file_;
};

class TraceLinesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("TZ", "UTC0", 1);
    tzset();
  }
};

TEST_F(TraceLinesTest, JsonSpansAndOtherLinesInTheOrderAdded) {
  MemOut out;
  std::string want;
  {
    TraceLines lines(out.file(), SpanLineFormat::kJson);
    for (int i = 0; i < 30; i++) {
      lines.AddSpan(SpanNumber(i));
      want += FormatSpanJson(SpanNumber(i)) + "\n";
      if (i % 7 == 0) {
        const std::string loss = "{\"type\":\"gap\",\"n\":" + std::to_string(i) + "}";
        lines.AddLine(loss);
        want += loss + "\n";
      }
    }
    EXPECT_EQ(out.Text(), "");  // small: nothing is written before Flush
    lines.Flush();
    EXPECT_EQ(out.Text(), want);
    EXPECT_EQ(lines.pending_bytes(), 0u);
  }
  int spans = 0;
  size_t start = 0;
  for (size_t nl = want.find('\n'); nl != std::string::npos; nl = want.find('\n', start)) {
    auto j = nlohmann::json::parse(want.substr(start, nl - start));
    spans += !j.contains("type");
    start = nl + 1;
  }
  EXPECT_EQ(spans, 30);
}

TEST_F(TraceLinesTest, TextLinesMatchFormatSpanTextAcrossSeconds) {
  MemOut out;
  std::string want;
  TraceLines lines(out.file(), SpanLineFormat::kText);
  for (int i = 0; i < 30; i++) {
    lines.AddSpan(SpanNumber(i));
    want += FormatSpanText(SpanNumber(i)) + "\n";
  }
  lines.Flush();
  EXPECT_EQ(out.Text(), want);
  EXPECT_NE(want.find("2023-04-19 13:49:04 "), std::string::npos);
  EXPECT_NE(want.find("2023-04-19 13:49:24 "), std::string::npos);  // span 29: 20 s later
}

TEST_F(TraceLinesTest, LargeOutputIsWrittenWithoutWaitingForFlush) {
  MemOut out;
  std::string want;
  {
    TraceLines lines(out.file(), SpanLineFormat::kJson);
    for (int i = 0; i < 2000; i++) {
      lines.AddSpan(SpanNumber(i % 40));
      want += FormatSpanJson(SpanNumber(i % 40)) + "\n";
      ASSERT_LT(lines.pending_bytes(), TraceLines::kWriteBytes);
    }
    ASSERT_GT(want.size(), 4 * TraceLines::kWriteBytes);
  }  // the destructor writes the rest
  EXPECT_EQ(out.Text(), want);
}

}  // namespace
}  // namespace hugin
