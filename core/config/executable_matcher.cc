#include "core/config/executable_matcher.h"

#include <re2/re2.h>

namespace hugin {

namespace {

// RE2's error quotes the pattern, which may hold a newline or other control bytes; an Error is
// one line (config_fuzzer found "(uncl\n-ed": a two-line message).
std::string OneLine(const std::string& text) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : text) {
    if (c == '\n') {
      out += "\\n";
    } else if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

}  // namespace

Result<ExecutableMatcher> ExecutableMatcher::Compile(const std::string& regex) {
  RE2::Options options;
  options.set_log_errors(false);  // the error goes back to the caller, not to stderr
  auto re = std::make_shared<const RE2>(regex, options);
  if (!re->ok()) return Error{OneLine(re->error())};
  return ExecutableMatcher(std::move(re));
}

bool ExecutableMatcher::Matches(std::string_view exe_path) const {
  return RE2::PartialMatch(re2::StringPiece(exe_path.data(), exe_path.size()), *re_);
}

const std::string& ExecutableMatcher::pattern() const { return re_->pattern(); }

}  // namespace hugin
