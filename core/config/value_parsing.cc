#include "core/config/value_parsing.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace hugin::config_internal {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool AllDigits(std::string_view s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

}  // namespace

std::string_view Trim(std::string_view s) {
  const char* kSpace = " \t\r\n\v\f";
  size_t begin = s.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  size_t end = s.find_last_not_of(kSpace);
  return s.substr(begin, end - begin + 1);
}

std::string Quote(std::string_view value) {
  std::string out = "\"";
  for (unsigned char c : value) {
    if (c == '\n') out += "\\n";
    else if (c < 0x20 || c == 0x7f) out += '?';
    else out += static_cast<char>(c);
  }
  return out + "\"";
}

std::optional<uint64_t> ParseUnsigned(std::string_view s, uint64_t min, uint64_t max) {
  s = Trim(s);
  if (!AllDigits(s)) return std::nullopt;  // rejects "-1", "+1", "1.5", "0x10"
  uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  if (value < min || value > max) return std::nullopt;
  return value;
}

std::optional<uint64_t> ParseByteSize(std::string_view s) {
  std::string lower = Lower(Trim(s));
  std::string_view v = lower;
  // Peel "b", then the "i" of "ki"/"mi"/"gi", then the unit letter.
  if (v.ends_with("b")) v.remove_suffix(1);
  if (v.size() >= 2 && v.back() == 'i' && std::string_view("kmg").find(v[v.size() - 2]) != std::string_view::npos) {
    v.remove_suffix(1);
  }
  uint64_t multiplier = 1;
  if (!v.empty()) {
    switch (v.back()) {
      case 'k': multiplier = 1ull << 10; break;
      case 'm': multiplier = 1ull << 20; break;
      case 'g': multiplier = 1ull << 30; break;
      default: break;
    }
    if (multiplier != 1) v.remove_suffix(1);
  }
  auto number = ParseUnsigned(v, 0, UINT64_MAX / multiplier);
  if (!number) return std::nullopt;
  return *number * multiplier;
}

std::optional<bool> ParseBool(std::string_view s) {
  std::string v = Lower(Trim(s));
  if (v == "1" || v == "t" || v == "true" || v == "yes" || v == "on") return true;
  if (v == "0" || v == "f" || v == "false" || v == "no" || v == "off") return false;
  return std::nullopt;
}

std::optional<TracePrinter> ParseTracePrinter(std::string_view s) {
  std::string v = Lower(Trim(s));
  if (v == "text") return TracePrinter::kText;
  if (v == "json") return TracePrinter::kJson;
  if (v == "disabled") return TracePrinter::kDisabled;
  return std::nullopt;
}

}  // namespace hugin::config_internal
