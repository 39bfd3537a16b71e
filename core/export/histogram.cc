#include "core/export/histogram.h"

#include <algorithm>

namespace hugin {

Histogram::Histogram(std::span<const double> upper_bounds)
    : bounds_(upper_bounds), per_bucket_(upper_bounds.size() + 1, 0) {}

void Histogram::Observe(double value) {
  // First bound >= value: buckets are "less than or equal".
  size_t i = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  ++per_bucket_[i];
  ++count_;
  sum_ += value;
}

uint64_t Histogram::CumulativeCount(size_t i) const {
  uint64_t total = 0;
  for (size_t k = 0; k <= i && k < per_bucket_.size(); ++k) total += per_bucket_[k];
  return total;
}

}  // namespace hugin
