#include "core/export/duration_format.h"

#include <charconv>
#include <string_view>

namespace hugin {
namespace {

struct Unit {
  std::string_view suffix;
  double ns;
};

constexpr Unit kUnits[] = {{"\xC2\xB5s", 1e3}, {"ms", 1e6}, {"s", 1e9}};  // µs, ms, s

int IntegerDigits(double v) {
  int digits = 1;
  while (v >= 10.0) {
    v /= 10.0;
    ++digits;
  }
  return digits;
}

// v with 4 significant digits, trailing zeros stripped ("15.20" -> "15.2"), into buf (>= 32
// bytes); returns its length. std::to_chars with a precision rounds exactly as printf("%.*f").
size_t FourSignificant(double v, char* buf) {
  int decimals = 4 - IntegerDigits(v);
  if (decimals < 0) decimals = 0;
  char* end = std::to_chars(buf, buf + 32, v, std::chars_format::fixed, decimals).ptr;
  std::string_view s(buf, end - buf);
  if (s.find('.') != std::string_view::npos) {
    while (s.back() == '0') s.remove_suffix(1);
    if (s.back() == '.') s.remove_suffix(1);
  }
  return s.size();
}

}  // namespace

void AppendDuration(std::string* out, uint64_t ns) {
  if (ns == 0) {
    out->append("0s");
    return;
  }
  char buf[32];
  if (ns < 1000) {
    out->append(buf, std::to_chars(buf, buf + sizeof buf, ns).ptr);
    out->append("ns");
    return;
  }
  size_t unit = 0;
  while (unit + 1 < std::size(kUnits) && static_cast<double>(ns) >= kUnits[unit + 1].ns) ++unit;
  size_t n = FourSignificant(static_cast<double>(ns) / kUnits[unit].ns, buf);
  // Rounding can carry into the next unit: 999.96µs -> "1000" -> use ms. (Below 1000 of a unit
  // before rounding, so only "1000" exactly, four integer digits, can come out.)
  if (unit + 1 < std::size(kUnits) && std::string_view(buf, n).find('.') == std::string_view::npos &&
      n >= 4) {
    ++unit;
    n = FourSignificant(static_cast<double>(ns) / kUnits[unit].ns, buf);
  }
  out->append(buf, n);
  out->append(kUnits[unit].suffix);
}

std::string FormatDuration(uint64_t ns) {
  std::string out;
  AppendDuration(&out, ns);
  return out;
}

}  // namespace hugin
