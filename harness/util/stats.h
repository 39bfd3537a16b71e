// Order statistics used throughout the report.
#pragma once

#include <optional>
#include <vector>

namespace hugin::harness {

// Linear interpolation between closest ranks (the common "type 7" definition); p in [0, 100].
// Returns 0 for an empty input.
double Percentile(std::vector<double> values, double p);
double Median(const std::vector<double>& values);
double Mean(const std::vector<double>& values);
// b / a, or 0 when a is 0 (a ratio that cannot be formed reads as 0, never inf/nan in JSON).
double SafeRatio(double b, double a);

// exp(mean(log x)) of positive values (the natural average of ratios); 0 when empty or when a
// value is not positive.
double GeometricMean(const std::vector<double>& values);

struct Interval {
  double low = 0, high = 0;
};

// 95% percentile-bootstrap intervals over paired values (each value is one interleaved pair):
// `resamples` draws with replacement from a fixed seed, so a report is reproducible. With few
// pairs the interval is honest about it: wide. Empty input -> nullopt.
std::optional<Interval> BootstrapMeanCi95(const std::vector<double>& values,
                                          int resamples = 10000);
std::optional<Interval> BootstrapGeometricMeanCi95(const std::vector<double>& ratios,
                                                   int resamples = 10000);

}  // namespace hugin::harness
