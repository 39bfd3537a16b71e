#include "core/config/glob.h"

namespace hugin::config_internal {
namespace {

bool IsRegexSpecial(char c) {
  return std::string_view(R"(\^$.|?*+()[]{})").find(c) != std::string_view::npos;
}

void AppendLiteral(std::string& out, char c) {
  if (IsRegexSpecial(c)) out.push_back('\\');
  out.push_back(c);
}

Error NotAGlob() { return Error{"not a valid glob (unclosed [ or {, or trailing \\)"}; }

}  // namespace

Result<std::string> GlobToRegex(std::string_view glob) {
  std::string out = "^";
  int brace_depth = 0;
  for (size_t i = 0; i < glob.size(); ++i) {
    char c = glob[i];
    switch (c) {
      case '*':
        // A run of stars means what one does; each ".*" more multiplies std::regex's
        // backtracking (a 40-star glob took seconds per path: found by config_fuzzer).
        while (i + 1 < glob.size() && glob[i + 1] == '*') ++i;
        out += ".*";
        break;
      case '?': out += "."; break;
      case '\\':
        if (++i == glob.size()) return NotAGlob();
        AppendLiteral(out, glob[i]);
        break;
      case '[': {
        size_t j = i + 1;
        std::string cls = "[";
        if (j < glob.size() && (glob[j] == '!' || glob[j] == '^')) { cls += '^'; ++j; }
        // A ']' right after the opening is a literal member.
        if (j < glob.size() && glob[j] == ']') { cls += "\\]"; ++j; }
        while (j < glob.size() && glob[j] != ']') {
          char m = glob[j];
          if (m == '\\' || m == '[' || m == '^') cls += '\\';
          cls += m;
          ++j;
        }
        if (j == glob.size()) return NotAGlob();
        out += cls + "]";
        i = j;
        break;
      }
      case '{': ++brace_depth; out += "(?:"; break;
      case '}':
        if (brace_depth == 0) { AppendLiteral(out, c); break; }
        --brace_depth;
        out += ")";
        break;
      case ',':
        if (brace_depth > 0) out += "|"; else out += ",";
        break;
      default: AppendLiteral(out, c);
    }
  }
  if (brace_depth != 0) return NotAGlob();
  out += "$";
  return out;
}

}  // namespace hugin::config_internal
