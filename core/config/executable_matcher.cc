#include "core/config/executable_matcher.h"

#include <re2/re2.h>

#include "core/export/text_escaping.h"

namespace hugin {

Result<ExecutableMatcher> ExecutableMatcher::Compile(const std::string& regex) {
  RE2::Options options;
  options.set_log_errors(false);  // the error goes back to the caller, not to stderr
  auto re = std::make_shared<const RE2>(regex, options);
  // RE2's error quotes the pattern, which may hold a newline or other control bytes; an Error
  // is one line (config_fuzzer found "(uncl\n-ed": a two-line message).
  if (!re->ok()) return Error{EscapeForLine(re->error())};
  return ExecutableMatcher(std::move(re));
}

bool ExecutableMatcher::Matches(std::string_view exe_path) const {
  return RE2::PartialMatch(re2::StringPiece(exe_path.data(), exe_path.size()), *re_);
}

const std::string& ExecutableMatcher::pattern() const { return re_->pattern(); }

}  // namespace hugin
