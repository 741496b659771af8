#include "auth/nonce_cache.hpp"

#include <cstring>
#include <vector>

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

TEST(NonceCacheTest, ASubjectPastItsWindowForgetsItsFirstExpiringNonceButNeverAdmitsIt) {
  NonceCache cache({2, 3, 100});
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(cache.check("busy", nonce(i), 10'000 + i, 0), Verdict::Fresh);
  }
  // A fourth live envelope is taken: the window forgets nonce 0 (exp 10000) ...
  EXPECT_EQ(cache.check("busy", nonce(3), 10'003, 0), Verdict::Fresh);
  EXPECT_EQ(cache.size(), 3u);
  // ... and whatever expires no later than it is refused, nonce 0 itself included.
  EXPECT_EQ(cache.check("busy", nonce(0), 10'000, 1), Verdict::Stale);
  EXPECT_EQ(cache.check("busy", nonce(7), 9'999, 1), Verdict::Stale);
  EXPECT_EQ(cache.check("busy", nonce(1), 10'001, 1), Verdict::Replayed);
  // Other subjects keep their own window.
  EXPECT_EQ(cache.check("quiet", nonce(0), 10'000, 1), Verdict::Fresh);
}

TEST(NonceCacheTest, OneSubjectSendingFarFasterThanItsWindowIsNeverRefusedNorReplayed) {
  NonceCache cache({1, 64, 1000});
  std::int64_t now = 0;
  std::vector<std::int64_t> exps;
  for (int i = 0; i < 20'000; ++i) {
    now += i % 4 == 0;  // 4,000 envelopes a second, each valid 10 s: 40,000 live
    exps.push_back(now + 10'000);
    ASSERT_EQ(cache.check("fast", nonce(i), exps.back(), now), Verdict::Fresh) << i;
    // Earlier envelopes sent again are refused, whether still in the window or not.
    for (int back : {1, 63, 64, 100, 5000}) {
      if (i < back) continue;
      ASSERT_NE(cache.check("fast", nonce(i - back), exps[i - back], now), Verdict::Fresh)
          << i << " " << back;
    }
  }
  EXPECT_LE(cache.size(), 64u);
}

TEST(NonceCacheTest, ASubjectsFloorIsForgottenOnceItHasPassed) {
  NonceCache cache({1, 1, 100});
  EXPECT_EQ(cache.check("s", nonce(1), 5'000, 0), Verdict::Fresh);
  EXPECT_EQ(cache.check("s", nonce(2), 6'000, 0), Verdict::Fresh);  // floor 5000
  EXPECT_EQ(cache.check("s", nonce(3), 5'000, 0), Verdict::Stale);
  // After both expired (and a sweep), the subject starts afresh.
  EXPECT_EQ(cache.check("s", nonce(4), 9'000, 7'000), Verdict::Fresh);
  EXPECT_EQ(cache.size(), 1u);
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
