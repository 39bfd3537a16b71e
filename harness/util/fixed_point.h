// Fixed-point text for report figures: FixedPoint(0.7351, 3) == "0.735".
#pragma once

#include <sstream>
#include <string>

namespace hugin::harness {

inline std::string FixedPoint(double v, int digits) {
  std::ostringstream s;
  s.setf(std::ios::fixed);
  s.precision(digits);
  s << v;
  return s.str();
}

}  // namespace hugin::harness
