#include "auth/failure_limiter.hpp"

#include <gtest/gtest.h>

namespace latch::auth {
namespace {

TEST(FailureLimiterTest, RefusesAfterTheMaximumUntilTheWindowEnds) {
  FailureLimiter limiter({3, 60'000, 100});
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(limiter.allowed("k", 1'000));
    limiter.noteFailure("k", 1'000 + i);
  }
  EXPECT_FALSE(limiter.allowed("k", 2'000));
  EXPECT_EQ(limiter.retryAfterMs("k", 2'000), 59'000);
  EXPECT_TRUE(limiter.allowed("other", 2'000));
  EXPECT_TRUE(limiter.allowed("k", 61'000));
}

TEST(FailureLimiterTest, ANewWindowStartsCountingAfresh) {
  FailureLimiter limiter({2, 1'000, 100});
  limiter.noteFailure("k", 0);
  limiter.noteFailure("k", 10);
  EXPECT_FALSE(limiter.allowed("k", 500));
  limiter.noteFailure("k", 1'500);
  EXPECT_TRUE(limiter.allowed("k", 1'600));
}

TEST(FailureLimiterTest, MemoryStaysBoundedWhateverKeysArrive) {
  FailureLimiter limiter({1, 60'000, 50});
  for (int i = 0; i < 10'000; ++i) limiter.noteFailure("key" + std::to_string(i), i);
  EXPECT_LE(limiter.size(), 50u);
  // The most recent keys are the ones still remembered.
  EXPECT_FALSE(limiter.allowed("key9999", 10'000));
}

}  // namespace
}  // namespace latch::auth
