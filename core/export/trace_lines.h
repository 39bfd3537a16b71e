// The trace printer's output: span lines (text or JSON) and other whole lines (the JSON loss
// lines) appended to one reusable buffer and written with fwrite in large chunks, instead of a
// string and an fprintf per line. Order is kept: lines go out in the order they were added.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

#include "core/export/trace_printer.h"
#include "core/span/span.h"

namespace hugin {

enum class SpanLineFormat { kText, kJson };

class TraceLines {
 public:
  // Pending bytes past which AddSpan/AddLine write them out without waiting for Flush.
  static constexpr size_t kWriteBytes = 64 << 10;

  TraceLines(FILE* out, SpanLineFormat format) : out_(out), format_(format) {}
  ~TraceLines() { Flush(); }
  TraceLines(const TraceLines&) = delete;
  TraceLines& operator=(const TraceLines&) = delete;

  void AddSpan(const Span& span);
  // `line` without its newline.
  void AddLine(std::string_view line);
  // Writes what is pending and flushes the stream (the agent calls it once per poll loop).
  void Flush();
  size_t pending_bytes() const { return buffer_.size(); }

 private:
  void WriteIfLarge();
  void Write();

  FILE* out_;
  SpanLineFormat format_;
  std::string buffer_;
  LocalSecondText clock_;
};

}  // namespace hugin
