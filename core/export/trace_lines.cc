#include "core/export/trace_lines.h"

namespace hugin {

void TraceLines::AddSpan(const Span& span) {
  if (format_ == SpanLineFormat::kJson) {
    AppendSpanJson(&buffer_, span);
  } else {
    AppendSpanText(&buffer_, span, &clock_);
  }
  buffer_.push_back('\n');
  WriteIfLarge();
}

void TraceLines::AddLine(std::string_view line) {
  buffer_.append(line);
  buffer_.push_back('\n');
  WriteIfLarge();
}

void TraceLines::Flush() {
  Write();
  std::fflush(out_);
}

void TraceLines::WriteIfLarge() {
  if (buffer_.size() >= kWriteBytes) Write();
}

void TraceLines::Write() {
  if (buffer_.empty()) return;
  std::fwrite(buffer_.data(), 1, buffer_.size(), out_);
  buffer_.clear();  // keeps its capacity
}

}  // namespace hugin
