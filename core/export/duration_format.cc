#include "core/export/duration_format.h"

#include <cstdio>

namespace hugin {
namespace {

struct Unit {
  const char* suffix;
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

// Formats v with 4 significant digits and strips trailing zeros ("15.20" -> "15.2").
std::string FourSignificant(double v) {
  int decimals = 4 - IntegerDigits(v);
  if (decimals < 0) decimals = 0;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  std::string s = buf;
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  return s;
}

}  // namespace

std::string FormatDuration(uint64_t ns) {
  if (ns == 0) return "0s";
  if (ns < 1000) return std::to_string(ns) + "ns";
  size_t unit = 0;
  while (unit + 1 < std::size(kUnits) && static_cast<double>(ns) >= kUnits[unit + 1].ns) ++unit;
  std::string digits = FourSignificant(static_cast<double>(ns) / kUnits[unit].ns);
  // Rounding can carry into the next unit: 999.96µs -> "1000" -> use ms.
  if (unit + 1 < std::size(kUnits) && std::stod(digits) >= 1000.0) {
    ++unit;
    digits = FourSignificant(static_cast<double>(ns) / kUnits[unit].ns);
  }
  return digits + kUnits[unit].suffix;
}

}  // namespace hugin
