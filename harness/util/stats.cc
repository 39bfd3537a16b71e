#include "harness/util/stats.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace hugin::harness {

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  p = std::clamp(p, 0.0, 100.0);
  const double rank = p / 100.0 * static_cast<double>(values.size() - 1);
  const auto lower = static_cast<size_t>(std::floor(rank));
  const auto upper = static_cast<size_t>(std::ceil(rank));
  const double fraction = rank - static_cast<double>(lower);
  return values[lower] + (values[upper] - values[lower]) * fraction;
}

double Median(const std::vector<double>& values) { return Percentile(values, 50); }

double Mean(const std::vector<double>& values) {
  if (values.empty()) return 0;
  return std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
}

double SafeRatio(double b, double a) { return a == 0 ? 0 : b / a; }

double GeometricMean(const std::vector<double>& values) {
  if (values.empty()) return 0;
  double log_sum = 0;
  for (double v : values) {
    if (!(v > 0)) return 0;
    log_sum += std::log(v);
  }
  return std::exp(log_sum / static_cast<double>(values.size()));
}

std::optional<Interval> BootstrapMeanCi95(const std::vector<double>& values, int resamples) {
  if (values.empty() || resamples < 1) return std::nullopt;
  std::mt19937_64 rng(0x6875676e);  // fixed: the same runs give the same interval
  std::uniform_int_distribution<size_t> pick(0, values.size() - 1);
  std::vector<double> means;
  means.reserve(static_cast<size_t>(resamples));
  for (int i = 0; i < resamples; ++i) {
    double sum = 0;
    for (size_t j = 0; j < values.size(); ++j) sum += values[pick(rng)];
    means.push_back(sum / static_cast<double>(values.size()));
  }
  return Interval{Percentile(means, 2.5), Percentile(means, 97.5)};
}

std::optional<Interval> BootstrapGeometricMeanCi95(const std::vector<double>& ratios,
                                                   int resamples) {
  std::vector<double> logs;
  for (double r : ratios) {
    if (!(r > 0)) return std::nullopt;
    logs.push_back(std::log(r));
  }
  auto ci = BootstrapMeanCi95(logs, resamples);
  if (!ci) return std::nullopt;
  return Interval{std::exp(ci->low), std::exp(ci->high)};
}

}  // namespace hugin::harness
