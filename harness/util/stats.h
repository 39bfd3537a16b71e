// Order statistics used throughout the report.
#pragma once

#include <vector>

namespace hugin::harness {

// Linear interpolation between closest ranks (the common "type 7" definition); p in [0, 100].
// Returns 0 for an empty input.
double Percentile(std::vector<double> values, double p);
double Median(const std::vector<double>& values);
double Mean(const std::vector<double>& values);
// b / a, or 0 when a is 0 (a ratio that cannot be formed reads as 0, never inf/nan in JSON).
double SafeRatio(double b, double a);

}  // namespace hugin::harness
