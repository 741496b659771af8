#include "auth/nonce_cache.hpp"

#include <cstring>

#include <gtest/gtest.h>

namespace latch::auth {
namespace {

using Verdict = NonceCache::Verdict;

std::array<std::uint8_t, 16> nonce(int n) {
  std::array<std::uint8_t, 16> out{};
  out[0] = static_cast<std::uint8_t>(n);
  out[1] = static_cast<std::uint8_t>(n >> 8);
  out[15] = 0xaa;
  return out;
}

TEST(NonceCacheTest, ASecondUseBeforeExpiryIsAReplay) {
  NonceCache cache;
  EXPECT_EQ(cache.check("alice", nonce(1), 2'000, 1'000), Verdict::Fresh);
  EXPECT_EQ(cache.check("alice", nonce(1), 2'000, 1'500), Verdict::Replayed);
  EXPECT_EQ(cache.check("bob", nonce(1), 2'000, 1'500), Verdict::Fresh);
}

TEST(NonceCacheTest, EntriesAreForgottenAtTheirExpiry) {
  NonceCache cache({1, 100, 100});
  EXPECT_EQ(cache.check("alice", nonce(1), 2'000, 1'000), Verdict::Fresh);
  EXPECT_EQ(cache.size(), 1u);
  // An expired envelope is refused by its exp before it reaches the cache, so forgetting
  // it cannot let a replay through.
  EXPECT_EQ(cache.check("alice", nonce(2), 3'000, 2'000), Verdict::Fresh);
  EXPECT_EQ(cache.size(), 1u);
}

TEST(NonceCacheTest, ASubjectOverItsCapIsRefusedAndOthersAreNot) {
  NonceCache cache({2, 3, 100});
  for (int i = 0; i < 3; ++i) EXPECT_EQ(cache.check("greedy", nonce(i), 10'000, 0), Verdict::Fresh);
  EXPECT_EQ(cache.check("greedy", nonce(9), 10'000, 0), Verdict::SubjectFull);
  EXPECT_EQ(cache.check("polite", nonce(9), 10'000, 0), Verdict::Fresh);
  EXPECT_EQ(cache.check("greedy", nonce(10), 20'000, 10'000), Verdict::Fresh);  // old ones expired
}

TEST(NonceCacheTest, TheTotalIsCapped) {
  NonceCache cache({1, 100, 5});
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(cache.check("s" + std::to_string(i), nonce(i), 10'000, 0), Verdict::Fresh);
  }
  EXPECT_EQ(cache.check("late", nonce(7), 10'000, 0), Verdict::CacheFull);
  EXPECT_EQ(cache.size(), 5u);
}

TEST(NonceCacheTest, ALoadWithReplaysRefusesExactlyTheReplaysAndStaysBounded) {
  NonceCacheOptions options;
  options.maxEntries = 50'000;
  NonceCache cache(options);
  std::int64_t now = 0;
  int refused = 0, replays = 0;
  for (int i = 0; i < 100'000; ++i) {
    now += 1;  // 1000 envelopes a second, each valid 30 s: ~30k live
    const bool replay = i % 100 == 99;
    const int n = replay ? i - 50 : i;
    replays += replay;
    std::array<std::uint8_t, 16> id{};
    std::memcpy(id.data(), &n, sizeof n);
    const auto v = cache.check("user" + std::to_string(n % 64), id, now + 30'000, now);
    refused += v != Verdict::Fresh;
    EXPECT_EQ(v == Verdict::Replayed, replay) << i;
  }
  EXPECT_EQ(refused, replays);
  EXPECT_LE(cache.size(), 30'001u);
  EXPECT_LT(cache.memoryBytes(), 30'001u * 160);
}

}  // namespace
}  // namespace latch::auth
