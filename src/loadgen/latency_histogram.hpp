#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace latch::loadgen {

// Counts values (latencies in nanoseconds) in log-linear buckets: exact below 128, then 64
// buckets per power of two, so any reported value is within 1.6% of a recorded one. Fixed
// size (about 30 KiB) whatever the number of values. Not thread-safe: one per recorder,
// merged once recording is over.
class LatencyHistogram {
 public:
  void record(std::uint64_t value);

  // Adds all of `other`'s values to this histogram.
  void merge(const LatencyHistogram& other);

  std::uint64_t count() const { return count_; }
  // Exact smallest and largest values; 0 when empty.
  std::uint64_t min() const { return count_ ? min_ : 0; }
  std::uint64_t max() const { return max_; }
  // Exact mean; 0 when empty.
  double mean() const;

  // The value below or at which `quantile` (0 to 1) of the values lie: the upper bound of the
  // bucket holding that value, never above max(). 0 when empty.
  std::uint64_t percentile(double quantile) const;

 private:
  static constexpr int kSubBits = 6;  // 64 buckets per power of two
  static constexpr std::size_t kSub = std::size_t{1} << kSubBits;
  static constexpr std::size_t kBuckets = 2 * kSub + (64 - kSubBits - 1) * kSub;

  static std::size_t bucketOf(std::uint64_t value);
  static std::uint64_t upperBound(std::size_t bucket);

  std::array<std::uint64_t, kBuckets> counts_{};
  std::uint64_t count_ = 0;
  std::uint64_t min_ = UINT64_MAX;
  std::uint64_t max_ = 0;
  long double sum_ = 0;
};

}  // namespace latch::loadgen
