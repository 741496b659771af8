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
  std::int64_t expMs;
  std::uint64_t lo;
  std::uint64_t hi;
};

// For std::push_heap/pop_heap: a min-heap on expMs.
bool laterThan(const Expiry& a, const Expiry& b) { return a.expMs > b.expMs; }

// One subject's window: its nonces by expiry, and its floor.
struct Subject {
  std::vector<Expiry> byExpiry;
  std::int64_t floorMs = std::numeric_limits<std::int64_t>::min();
};

constexpr std::int64_t kSweepEveryMs = 1000;

}  // namespace

struct NonceCache::Shard {
  std::mutex mu;
  std::unordered_set<Key, KeyHash> seen;
  std::unordered_map<std::uint64_t, Subject> subjects;
  std::int64_t nextSweepMs = std::numeric_limits<std::int64_t>::min();

  // Forgets the subject's first-expiring nonce.
  void popFirst(std::uint64_t subjectHash, Subject& s, std::atomic<std::size_t>& total) {
    std::pop_heap(s.byExpiry.begin(), s.byExpiry.end(), laterThan);
    const Expiry e = s.byExpiry.back();
    s.byExpiry.pop_back();
    seen.erase(Key{subjectHash, e.lo, e.hi});
    total.fetch_sub(1, std::memory_order_relaxed);
  }

  void dropExpired(std::uint64_t subjectHash, Subject& s, std::int64_t nowMs,
                   std::atomic<std::size_t>& total) {
    while (!s.byExpiry.empty() && s.byExpiry.front().expMs <= nowMs) {
      popFirst(subjectHash, s, total);
    }
  }

  // Expired entries of every subject; subjects with nothing left and no floor that matters
  // any more are forgotten.
  void sweep(std::int64_t nowMs, std::atomic<std::size_t>& total) {
    for (auto it = subjects.begin(); it != subjects.end();) {
      dropExpired(it->first, it->second, nowMs, total);
      // A floor at or before now refuses nothing the envelope check lets through.
      if (it->second.byExpiry.empty() && it->second.floorMs <= nowMs) {
        it = subjects.erase(it);
      } else {
        ++it;
      }
    }
    nextSweepMs = nowMs + kSweepEveryMs;
  }
};

std::string NonceCacheOptions::validate() const {
  if (shards == 0 || shards > 1024) return "nonce cache shards must be from 1 to 1024";
  if (maxPerSubject == 0 || maxEntries == 0) return "nonce cache caps must be positive";
  return {};
}

NonceCache::NonceCache(NonceCacheOptions options) : options_(options) {
  shards_.reserve(options_.shards);
  for (std::size_t i = 0; i < options_.shards; ++i) shards_.push_back(std::make_unique<Shard>());
}

NonceCache::~NonceCache() = default;

NonceCache::Shard& NonceCache::shardFor(std::uint64_t subjectHash) {
  return *shards_[subjectHash % shards_.size()];
}

NonceCache::Verdict NonceCache::check(std::string_view subject,
                                      const std::array<std::uint8_t, 16>& nonce, std::int64_t expMs,
                                      std::int64_t nowMs) {
  Key key{std::hash<std::string_view>{}(subject), 0, 0};
  std::memcpy(&key.lo, nonce.data(), 8);
  std::memcpy(&key.hi, nonce.data() + 8, 8);
  Shard& shard = shardFor(key.subject);
  std::lock_guard lock(shard.mu);
  if (nowMs >= shard.nextSweepMs) shard.sweep(nowMs, total_);
  auto& s = shard.subjects[key.subject];
  shard.dropExpired(key.subject, s, nowMs, total_);
  if (shard.seen.contains(key)) return Verdict::Replayed;
  if (expMs <= s.floorMs) return Verdict::Stale;
  if (s.byExpiry.size() >= options_.maxPerSubject) {
    // The window is full: forget the first-expiring nonce, and refuse from now on whatever
    // expires no later than it did (it might be that nonce again).
    s.floorMs = std::max(s.floorMs, s.byExpiry.front().expMs);
    shard.popFirst(key.subject, s, total_);
    if (expMs <= s.floorMs) return Verdict::Stale;
  } else if (total_.load(std::memory_order_relaxed) >= options_.maxEntries) {
    shard.sweep(nowMs, total_);
    if (total_.load(std::memory_order_relaxed) >= options_.maxEntries) return Verdict::CacheFull;
  }
  shard.seen.insert(key);
  s.byExpiry.push_back(Expiry{expMs, key.lo, key.hi});
  std::push_heap(s.byExpiry.begin(), s.byExpiry.end(), laterThan);
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
             s->subjects.bucket_count() * sizeof(void*);
    for (const auto& [hash, subject] : s->subjects) {
      bytes += subject.byExpiry.capacity() * sizeof(Expiry);
    }
  }
  return bytes;
}

}  // namespace latch::auth
