// The compiled form of an executable-name selector (Config::executable_regex): a regular
// expression searched, unanchored unless it says so, in a process's /proc/PID/exe path.
//
// RE2, not std::regex: discovery runs the regex over every process's path each scan, and a
// user's regex with stacked quantifiers ("ser*****...") made libstdc++'s backtracking matcher
// take seconds per path (found by config_fuzzer). RE2 matches in time linear in the path, and
// its syntax is Go's regexp syntax, which is what Beyla's BEYLA_EXECUTABLE_NAME takes.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/common/result.h"

namespace re2 {
class RE2;
}

namespace hugin {

class ExecutableMatcher {
 public:
  // An error carries RE2's description of what is wrong ("missing ): ser(").
  static Result<ExecutableMatcher> Compile(const std::string& regex);
  bool Matches(std::string_view exe_path) const;
  const std::string& pattern() const;

 private:
  explicit ExecutableMatcher(std::shared_ptr<const re2::RE2> re) : re_(std::move(re)) {}
  std::shared_ptr<const re2::RE2> re_;  // shared: the matcher is copied into discovery
};

}  // namespace hugin
