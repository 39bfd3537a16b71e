// A Prometheus-style histogram: fixed upper bounds (le, inclusive), a count
// per bucket, the total count and the sum. Not thread-safe; Metrics locks.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace hugin {

class Histogram {
 public:
  explicit Histogram(std::span<const double> upper_bounds);  // ascending, +Inf implied

  void Observe(double value);
  // Adds observations bucketed elsewhere (the kernel's HTTP/1 series): per-bucket counts, not
  // cumulative, upper_bounds().size() + 1 of them (the last above every bound), and their sum.
  // The count grows by the buckets' total, so +Inf and _count always agree. Returns false, and
  // adds nothing, when the number of buckets is not that.
  bool AddBuckets(std::span<const uint64_t> per_bucket, double sum);
  // Adds `other`'s observations; false, and nothing added, unless its bounds are the same.
  bool Merge(const Histogram& other);

  std::span<const double> upper_bounds() const { return bounds_; }
  // Cumulative count of observations <= upper_bounds()[i].
  uint64_t CumulativeCount(size_t i) const;
  uint64_t count() const { return count_; }
  double sum() const { return sum_; }

 private:
  std::span<const double> bounds_;
  std::vector<uint64_t> per_bucket_;  // non-cumulative; last entry = above every bound
  uint64_t count_ = 0;
  double sum_ = 0;
};

}  // namespace hugin
