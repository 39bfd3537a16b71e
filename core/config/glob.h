// Converts a shell-style glob on an executable path (Beyla's
// BEYLA_AUTO_TARGET_EXE, e.g. "*/server" or "*node*") into an anchored
// ECMAScript regex.
#pragma once

#include <string>
#include <string_view>

#include "core/common/result.h"

namespace hugin::config_internal {

// Supported: "*" any run of characters (including '/', as Beyla's glob on the
// whole path does), "?" one character, "[abc]" / "[a-z]" / "[!abc]" classes,
// "{a,b}" alternatives, "\x" a literal x. Everything else is literal.
// An Error for an unterminated "[" or "{" or a trailing "\".
Result<std::string> GlobToRegex(std::string_view glob);

}  // namespace hugin::config_internal
