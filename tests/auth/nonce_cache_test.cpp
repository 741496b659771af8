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
  EXPECT_EQ(cache.check("home", "alice", nonce(1), 2'000, 1'000, 1'000), Verdict::Fresh);
  EXPECT_EQ(cache.check("home", "alice", nonce(1), 2'000, 1'500, 1'500), Verdict::Replayed);
  EXPECT_EQ(cache.check("home", "bob", nonce(1), 2'000, 1'500, 1'500), Verdict::Fresh);
}

TEST(NonceCacheTest, EntriesAreForgottenAtTheirExpiry) {
  NonceCache cache({1, 100, 100});
  EXPECT_EQ(cache.check("home", "alice", nonce(1), 2'000, 1'000, 1'000), Verdict::Fresh);
  EXPECT_EQ(cache.size(), 1u);
  // An expired envelope is refused by its exp before it reaches the cache, so forgetting
  // it cannot let a replay through.
  EXPECT_EQ(cache.check("home", "alice", nonce(2), 3'000, 2'000, 2'000), Verdict::Fresh);
  EXPECT_EQ(cache.size(), 1u);
}

TEST(NonceCacheTest, ASubjectPastItsWindowForgetsItsFirstExpiringNonceButNeverAdmitsIt) {
  NonceCache cache({2, 3, 100});
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(cache.check("home", "busy", nonce(i), 10'000 + i, 0, 0), Verdict::Fresh);
  }
  // A fourth live envelope is taken: the window forgets nonce 0 (exp 10000) ...
  EXPECT_EQ(cache.check("home", "busy", nonce(3), 10'003, 0, 0), Verdict::Fresh);
  EXPECT_EQ(cache.size(), 3u);
  // ... and whatever expires no later than it is refused, nonce 0 itself included.
  EXPECT_EQ(cache.check("home", "busy", nonce(0), 10'000, 1, 1), Verdict::Stale);
  EXPECT_EQ(cache.check("home", "busy", nonce(7), 9'999, 1, 1), Verdict::Stale);
  EXPECT_EQ(cache.check("home", "busy", nonce(1), 10'001, 1, 1), Verdict::Replayed);
  // Other subjects keep their own window.
  EXPECT_EQ(cache.check("home", "quiet", nonce(0), 10'000, 1, 1), Verdict::Fresh);
}

TEST(NonceCacheTest, OneSubjectSendingFarFasterThanItsWindowIsNeverRefusedNorReplayed) {
  NonceCache cache({1, 64, 1000});
  std::int64_t now = 0;
  std::vector<std::int64_t> exps;
  for (int i = 0; i < 20'000; ++i) {
    now += i % 4 == 0;  // 4,000 envelopes a second, each valid 10 s: 40,000 live
    exps.push_back(now + 10'000);
    ASSERT_EQ(cache.check("home", "fast", nonce(i), exps.back(), now, now), Verdict::Fresh) << i;
    // Earlier envelopes sent again are refused, whether still in the window or not.
    for (int back : {1, 63, 64, 100, 5000}) {
      if (i < back) continue;
      ASSERT_NE(cache.check("home", "fast", nonce(i - back), exps[i - back], now, now),
                Verdict::Fresh)
          << i << " " << back;
    }
  }
  EXPECT_LE(cache.size(), 64u);
}

TEST(NonceCacheTest, ASubjectsFloorIsForgottenOnceItHasPassed) {
  NonceCache cache({1, 1, 100});
  EXPECT_EQ(cache.check("home", "s", nonce(1), 5'000, 0, 0), Verdict::Fresh);
  EXPECT_EQ(cache.check("home", "s", nonce(2), 6'000, 0, 0), Verdict::Fresh);  // floor 5000
  EXPECT_EQ(cache.check("home", "s", nonce(3), 5'000, 0, 0), Verdict::Stale);
  // After both expired (and a sweep), the subject starts afresh.
  EXPECT_EQ(cache.check("home", "s", nonce(4), 9'000, 7'000, 7'000), Verdict::Fresh);
  EXPECT_EQ(cache.size(), 1u);
}

TEST(NonceCacheTest, TheTotalIsCapped) {
  NonceCache cache({1, 100, 5});
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(cache.check("home", "s" + std::to_string(i), nonce(i), 10'000, 0, 0), Verdict::Fresh);
  }
  EXPECT_EQ(cache.check("home", "late", nonce(7), 10'000, 0, 0), Verdict::CacheFull);
  EXPECT_EQ(cache.size(), 5u);
}

// The wall clock jumps forward an hour (the entry's exp is then past by the wall clock), a
// sweep runs, and the clock is corrected: the envelope is live again, and still refused.
TEST(NonceCacheTest, AWallClockJumpForwardAndBackForgetsNothingLive) {
  NonceCache cache({1, 100, 100});
  const std::int64_t t = 1'000'000;
  EXPECT_EQ(cache.check("home", "alice", nonce(1), t + 30'000, t, 0), Verdict::Fresh);
  // One second later by the monotonic clock, an hour later by the wall clock; another
  // nonce's check sweeps the shard.
  EXPECT_EQ(cache.check("home", "bob", nonce(2), t + 3'600'000 + 30'000, t + 3'600'000, 1'000),
            Verdict::Fresh);
  EXPECT_EQ(cache.size(), 2u);
  // Corrected: two seconds after the first check.
  EXPECT_EQ(cache.check("home", "alice", nonce(1), t + 30'000, t + 2'000, 2'000),
            Verdict::Replayed);
  // Both clocks past the exp: forgotten.
  EXPECT_EQ(cache.check("home", "alice", nonce(3), t + 70'000, t + 40'000, 40'000), Verdict::Fresh);
  EXPECT_EQ(cache.check("home", "alice", nonce(1), t + 30'000, t + 40'000, 40'000),
            Verdict::Fresh);  // the envelope check refuses it as expired before this
}

// The wall clock jumps back after the check: the monotonic clock has passed the entry's
// lifetime, but by the wall clock the envelope is live, so it is kept.
TEST(NonceCacheTest, AWallClockJumpBackKeepsTheEntriesItMadeLiveAgain) {
  NonceCache cache({1, 100, 100});
  const std::int64_t t = 1'000'000;
  EXPECT_EQ(cache.check("home", "alice", nonce(1), t + 30'000, t, 0), Verdict::Fresh);
  // 31 s later by the monotonic clock, but the wall clock went back a minute.
  EXPECT_EQ(cache.check("home", "alice", nonce(1), t + 30'000, t - 29'000, 31'000),
            Verdict::Replayed);
}

// Each home has its own share: one home at its cap is refused, the others are not.
TEST(NonceCacheTest, OneHomeCannotUseUpTheCacheOfTheOthers) {
  NonceCacheOptions options;
  options.shards = 1;  // the worst case: every home in one shard
  options.maxPerHome = 10;
  NonceCache cache(options);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(cache.check("greedy", "u" + std::to_string(i % 3), nonce(i), 10'000, 0, 0),
              Verdict::Fresh);
  }
  EXPECT_EQ(cache.check("greedy", "u9", nonce(50), 10'000, 0, 0), Verdict::CacheFull);
  EXPECT_EQ(cache.check("other", "u0", nonce(51), 10'000, 0, 0), Verdict::Fresh);
  // The greedy home's entries expire: it is admitted again.
  EXPECT_EQ(cache.check("greedy", "u9", nonce(52), 20'000, 10'000, 10'000), Verdict::Fresh);
}

// One nonce is per (home, subject): the same subject in two homes has two windows.
TEST(NonceCacheTest, TheSameNonceInAnotherHomeIsAnotherEntry) {
  NonceCache cache;
  EXPECT_EQ(cache.check("h1", "alice", nonce(1), 2'000, 1'000, 1'000), Verdict::Fresh);
  EXPECT_EQ(cache.check("h2", "alice", nonce(1), 2'000, 1'000, 1'000), Verdict::Fresh);
  EXPECT_EQ(cache.check("h1", "alice", nonce(1), 2'000, 1'000, 1'000), Verdict::Replayed);
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
    const auto v = cache.check("home", "user" + std::to_string(n % 64), id, now + 30'000, now, now);
    refused += v != Verdict::Fresh;
    EXPECT_EQ(v == Verdict::Replayed, replay) << i;
  }
  EXPECT_EQ(refused, replays);
  EXPECT_LE(cache.size(), 30'001u);
  EXPECT_LT(cache.memoryBytes(), 30'001u * 160);
}

}  // namespace
}  // namespace latch::auth
