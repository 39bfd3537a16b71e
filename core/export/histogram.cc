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

bool Histogram::AddBuckets(std::span<const uint64_t> per_bucket, double sum) {
  if (per_bucket.size() != per_bucket_.size()) return false;
  for (size_t i = 0; i < per_bucket.size(); ++i) {
    per_bucket_[i] += per_bucket[i];
    count_ += per_bucket[i];
  }
  sum_ += sum;
  return true;
}

bool Histogram::Merge(const Histogram& other) {
  if (!std::equal(bounds_.begin(), bounds_.end(), other.bounds_.begin(), other.bounds_.end()))
    return false;
  return AddBuckets(other.per_bucket_, other.sum_);
}

uint64_t Histogram::CumulativeCount(size_t i) const {
  uint64_t total = 0;
  for (size_t k = 0; k <= i && k < per_bucket_.size(); ++k) total += per_bucket_[k];
  return total;
}

}  // namespace hugin
