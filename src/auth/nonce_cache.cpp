#include "auth/nonce_cache.hpp"

#include <atomic>
#include <cstring>
#include <functional>
#include <queue>
#include <string>

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
  Key key;
  bool operator>(const Expiry& o) const { return expMs > o.expMs; }
};

}  // namespace

struct NonceCache::Shard {
  std::mutex mu;
  std::unordered_map<Key, std::int64_t, KeyHash> seen;  // -> expMs
  std::unordered_map<std::uint64_t, std::uint32_t> perSubject;
  std::priority_queue<Expiry, std::vector<Expiry>, std::greater<>> byExpiry;

  void dropExpired(std::int64_t nowMs, std::atomic<std::size_t>& total) {
    while (!byExpiry.empty() && byExpiry.top().expMs <= nowMs) {
      const Key key = byExpiry.top().key;
      byExpiry.pop();
      seen.erase(key);
      auto it = perSubject.find(key.subject);
      if (it != perSubject.end() && --it->second == 0) perSubject.erase(it);
      total.fetch_sub(1, std::memory_order_relaxed);
    }
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
  shard.dropExpired(nowMs, total_);
  if (const auto it = shard.seen.find(key); it != shard.seen.end()) return Verdict::Replayed;
  auto& count = shard.perSubject[key.subject];
  if (count >= options_.maxPerSubject) return Verdict::SubjectFull;
  if (total_.load(std::memory_order_relaxed) >= options_.maxEntries) {
    if (count == 0) shard.perSubject.erase(key.subject);
    return Verdict::CacheFull;
  }
  shard.seen.emplace(key, expMs);
  shard.byExpiry.push(Expiry{expMs, key});
  ++count;
  total_.fetch_add(1, std::memory_order_relaxed);
  return Verdict::Fresh;
}

std::size_t NonceCache::size() const { return total_.load(std::memory_order_relaxed); }

std::size_t NonceCache::memoryBytes() const {
  std::size_t bytes = 0;
  for (const auto& s : shards_) {
    std::lock_guard lock(s->mu);
    // Hash nodes (key, value, next pointer, cached hash), bucket arrays, heap slots.
    bytes += s->seen.size() * (sizeof(Key) + sizeof(std::int64_t) + 2 * sizeof(void*)) +
             s->seen.bucket_count() * sizeof(void*) +
             s->perSubject.size() * (sizeof(std::uint64_t) + 4 + 2 * sizeof(void*)) +
             s->perSubject.bucket_count() * sizeof(void*) + s->byExpiry.size() * sizeof(Expiry);
  }
  return bytes;
}

}  // namespace latch::auth
