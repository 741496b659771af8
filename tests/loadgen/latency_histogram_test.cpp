#include "loadgen/latency_histogram.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

namespace latch::loadgen {
namespace {

TEST(LatencyHistogramTest, EmptyReportsZeroes) {
  LatencyHistogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.max(), 0u);
  EXPECT_EQ(h.mean(), 0.0);
  EXPECT_EQ(h.percentile(0.99), 0u);
}

TEST(LatencyHistogramTest, SmallValuesAreExact) {
  LatencyHistogram h;
  for (std::uint64_t v = 1; v <= 100; ++v) h.record(v);
  EXPECT_EQ(h.count(), 100u);
  EXPECT_EQ(h.percentile(0.5), 50u);
  EXPECT_EQ(h.percentile(0.99), 99u);
  EXPECT_EQ(h.percentile(1.0), 100u);
  EXPECT_DOUBLE_EQ(h.mean(), 50.5);
}

// Any percentile is within 1.6% above the true value and never above the maximum, across
// nanoseconds to minutes.
TEST(LatencyHistogramTest, PercentilesAreWithinTheStatedErrorOfTheTrueValue) {
  std::mt19937_64 random(7);
  std::lognormal_distribution<double> latency(12.0, 2.0);  // ~160 us median, long tail
  std::vector<std::uint64_t> values;
  LatencyHistogram h;
  for (int i = 0; i < 100'000; ++i) {
    const auto v = static_cast<std::uint64_t>(latency(random)) + 1;
    values.push_back(v);
    h.record(v);
  }
  std::sort(values.begin(), values.end());
  for (const double q : {0.1, 0.5, 0.9, 0.99, 0.999}) {
    const auto exact = values[static_cast<std::size_t>(q * static_cast<double>(values.size())) - 1];
    const auto reported = h.percentile(q);
    EXPECT_GE(reported, exact) << "q=" << q;
    EXPECT_LE(static_cast<double>(reported), static_cast<double>(exact) * 1.016) << "q=" << q;
  }
  EXPECT_EQ(h.max(), values.back());
  EXPECT_EQ(h.min(), values.front());
  EXPECT_LE(h.percentile(1.0), h.max());
}

TEST(LatencyHistogramTest, MergeAddsCountsExtremesAndMeans) {
  LatencyHistogram a, b;
  a.record(10);
  a.record(30);
  b.record(1'000'000);
  a.merge(b);
  EXPECT_EQ(a.count(), 3u);
  EXPECT_EQ(a.min(), 10u);
  EXPECT_EQ(a.max(), 1'000'000u);
  EXPECT_NEAR(a.mean(), (10.0 + 30 + 1'000'000) / 3, 1e-6);
  EXPECT_EQ(a.percentile(0.5), 30u);
  LatencyHistogram empty;
  a.merge(empty);
  EXPECT_EQ(a.min(), 10u);
  EXPECT_EQ(a.count(), 3u);
}

}  // namespace
}  // namespace latch::loadgen
