#include "loadgen/latency_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace latch::loadgen {

// Values below 2 * kSub have a bucket each; above, a value keeps its top kSubBits + 1 bits:
// bucket = 2 * kSub + (shift - 1) * kSub + (value >> shift) - kSub.
std::size_t LatencyHistogram::bucketOf(std::uint64_t value) {
  if (value < 2 * kSub) return static_cast<std::size_t>(value);
  const int shift = std::bit_width(value) - (kSubBits + 1);
  return 2 * kSub + static_cast<std::size_t>(shift - 1) * kSub +
         static_cast<std::size_t>((value >> shift) - kSub);
}

std::uint64_t LatencyHistogram::upperBound(std::size_t bucket) {
  if (bucket < 2 * kSub) return bucket;
  const std::size_t above = bucket - 2 * kSub;
  const int shift = static_cast<int>(above / kSub) + 1;
  const std::uint64_t lower = static_cast<std::uint64_t>(above % kSub + kSub) << shift;
  return lower + ((std::uint64_t{1} << shift) - 1);
}

void LatencyHistogram::record(std::uint64_t value) {
  ++counts_[bucketOf(value)];
  ++count_;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
  sum_ += static_cast<long double>(value);
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  for (std::size_t i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
}

double LatencyHistogram::mean() const {
  return count_ ? static_cast<double>(sum_ / static_cast<long double>(count_)) : 0.0;
}

std::uint64_t LatencyHistogram::percentile(double quantile) const {
  if (count_ == 0) return 0;
  const double clamped = std::clamp(quantile, 0.0, 1.0);
  const auto rank = std::max<std::uint64_t>(
      1, static_cast<std::uint64_t>(std::ceil(clamped * static_cast<double>(count_))));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < kBuckets; ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::clamp(upperBound(i), min(), max_);
  }
  return max_;
}

}  // namespace latch::loadgen
