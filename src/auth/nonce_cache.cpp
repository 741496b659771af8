#include "auth/nonce_cache.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <functional>
#include <limits>
#include <string>
#include <unordered_set>

namespace latch::auth {
namespace {

// A subject is kept as a 64-bit hash: two subjects would also need the same random 128-bit
// nonce to disturb each other.
struct Key {
  std::uint64_t subject;
  std::uint64_t lo;
  std::uint64_t hi;
  bool operator==(const Key&) const = default;
};

struct KeyHash {
  std::size_t operator()(const Key& k) const {
    return static_cast<std::size_t>(k.lo ^ (k.hi * 0x9e3779b97f4a7c15ULL) ^ (k.subject << 1));
  }
};

struct Expiry {
  std::int64_t expMs;         // wall clock
  std::int64_t monoDeadline;  // monotonic clock: the same moment as it looked when checked
  std::uint64_t lo;
  std::uint64_t hi;
  // Expired only when both clocks agree.
  bool expired(std::int64_t nowMs, std::int64_t monoMs) const {
    return expMs <= nowMs && monoDeadline <= monoMs;
  }
};

// For std::push_heap/pop_heap: a min-heap on expMs.
bool laterThan(const Expiry& a, const Expiry& b) { return a.expMs > b.expMs; }

// One subject's window in one home: its nonces by expiry, and its floor (with the floor's
// monotonic deadline, so it too outlives a wall clock jumping back).
struct Subject {
  std::uint64_t home = 0;
  std::vector<Expiry> byExpiry;
  std::int64_t floorMs = std::numeric_limits<std::int64_t>::min();
  std::int64_t floorMono = std::numeric_limits<std::int64_t>::min();
};

constexpr std::int64_t kSweepEveryMs = 1000;

std::uint64_t mix(std::uint64_t a, std::uint64_t b) {
  return a ^ (b + 0x9e3779b97f4a7c15ULL + (a << 6) + (a >> 2));
}

}  // namespace

struct NonceCache::Shard {
  std::mutex mu;
  std::unordered_set<Key, KeyHash> seen;
  std::unordered_map<std::uint64_t, Subject> subjects;     // by (home, subject) hash
  std::unordered_map<std::uint64_t, std::size_t> perHome;  // live entries by home hash
  std::int64_t nextSweepMono = std::numeric_limits<std::int64_t>::min();

  // Forgets the subject's first-expiring nonce; returns it.
  Expiry popFirst(std::uint64_t subjectHash, Subject& s, std::atomic<std::size_t>& total) {
    std::pop_heap(s.byExpiry.begin(), s.byExpiry.end(), laterThan);
    const Expiry e = s.byExpiry.back();
    s.byExpiry.pop_back();
    seen.erase(Key{subjectHash, e.lo, e.hi});
    total.fetch_sub(1, std::memory_order_relaxed);
    if (auto it = perHome.find(s.home); it != perHome.end() && --it->second == 0) {
      perHome.erase(it);
    }
    return e;
  }

  void dropExpired(std::uint64_t subjectHash, Subject& s, std::int64_t nowMs, std::int64_t monoMs,
                   std::atomic<std::size_t>& total) {
    while (!s.byExpiry.empty() && s.byExpiry.front().expired(nowMs, monoMs)) {
      popFirst(subjectHash, s, total);
    }
  }

  // Expired entries of every subject; subjects with nothing left and no floor that matters
  // any more are forgotten.
  void sweep(std::int64_t nowMs, std::int64_t monoMs, std::atomic<std::size_t>& total) {
    for (auto it = subjects.begin(); it != subjects.end();) {
      dropExpired(it->first, it->second, nowMs, monoMs, total);
      // A floor at or before now refuses nothing the envelope check lets through.
      const auto& s = it->second;
      if (s.byExpiry.empty() && s.floorMs <= nowMs && s.floorMono <= monoMs) {
        it = subjects.erase(it);
      } else {
        ++it;
      }
    }
    nextSweepMono = monoMs + kSweepEveryMs;
  }
};

std::string NonceCacheOptions::validate() const {
  if (shards == 0 || shards > 1024) return "nonce cache shards must be from 1 to 1024";
  if (maxPerSubject == 0 || maxPerHome == 0 || maxEntries == 0)
    return "nonce cache caps must be positive";
  return {};
}

NonceCache::NonceCache(NonceCacheOptions options) : options_(options) {
  shards_.reserve(options_.shards);
  for (std::size_t i = 0; i < options_.shards; ++i) shards_.push_back(std::make_unique<Shard>());
}

NonceCache::~NonceCache() = default;

NonceCache::Shard& NonceCache::shardFor(std::uint64_t homeHash) {
  return *shards_[homeHash % shards_.size()];
}

NonceCache::Verdict NonceCache::check(std::string_view home, std::string_view subject,
                                      const std::array<std::uint8_t, 16>& nonce, std::int64_t expMs,
                                      std::int64_t nowMs, std::int64_t monoMs) {
  // A home's subjects share a shard, so the shard can count the home's entries.
  const std::uint64_t homeHash = std::hash<std::string_view>{}(home);
  Key key{mix(homeHash, std::hash<std::string_view>{}(subject)), 0, 0};
  std::memcpy(&key.lo, nonce.data(), 8);
  std::memcpy(&key.hi, nonce.data() + 8, 8);
  Shard& shard = shardFor(homeHash);
  std::lock_guard lock(shard.mu);
  if (monoMs >= shard.nextSweepMono) shard.sweep(nowMs, monoMs, total_);
  auto& s = shard.subjects[key.subject];
  s.home = homeHash;
  shard.dropExpired(key.subject, s, nowMs, monoMs, total_);
  if (shard.seen.contains(key)) return Verdict::Replayed;
  if (expMs <= s.floorMs) return Verdict::Stale;
  if (s.byExpiry.size() >= options_.maxPerSubject) {
    // The window is full: forget the first-expiring nonce, and refuse from now on whatever
    // expires no later than it did (it might be that nonce again).
    const Expiry forgotten = shard.popFirst(key.subject, s, total_);
    s.floorMs = std::max(s.floorMs, forgotten.expMs);
    s.floorMono = std::max(s.floorMono, forgotten.monoDeadline);
    if (expMs <= s.floorMs) return Verdict::Stale;
  } else {
    if (total_.load(std::memory_order_relaxed) >= options_.maxEntries) {
      shard.sweep(nowMs, monoMs, total_);
      if (total_.load(std::memory_order_relaxed) >= options_.maxEntries) return Verdict::CacheFull;
    }
    if (const auto it = shard.perHome.find(homeHash);
        it != shard.perHome.end() && it->second >= options_.maxPerHome) {
      shard.sweep(nowMs, monoMs, total_);
      const auto again = shard.perHome.find(homeHash);
      if (again != shard.perHome.end() && again->second >= options_.maxPerHome) {
        return Verdict::CacheFull;
      }
    }
  }
  shard.seen.insert(key);
  // The monotonic deadline: as long after now as exp is, at least (a clock behind counts
  // nothing off).
  const std::int64_t lifetime = std::max<std::int64_t>(expMs - nowMs, 0);
  s.byExpiry.push_back(Expiry{expMs, monoMs + lifetime, key.lo, key.hi});
  std::push_heap(s.byExpiry.begin(), s.byExpiry.end(), laterThan);
  ++shard.perHome[homeHash];
  total_.fetch_add(1, std::memory_order_relaxed);
  return Verdict::Fresh;
}

std::size_t NonceCache::size() const { return total_.load(std::memory_order_relaxed); }

std::size_t NonceCache::memoryBytes() const {
  std::size_t bytes = 0;
  for (const auto& s : shards_) {
    std::lock_guard lock(s->mu);
    // Hash nodes (key, next pointer, cached hash), bucket arrays, heap slots (with their
    // vectors' spare capacity), subject nodes.
    bytes += s->seen.size() * (sizeof(Key) + 2 * sizeof(void*)) +
             s->seen.bucket_count() * sizeof(void*) +
             s->subjects.size() * (sizeof(std::uint64_t) + sizeof(Subject) + 2 * sizeof(void*)) +
             s->subjects.bucket_count() * sizeof(void*) +
             s->perHome.size() * (2 * sizeof(std::uint64_t) + 2 * sizeof(void*)) +
             s->perHome.bucket_count() * sizeof(void*);
    for (const auto& [hash, subject] : s->subjects) {
      bytes += subject.byExpiry.capacity() * sizeof(Expiry);
    }
  }
  return bytes;
}

}  // namespace latch::auth
