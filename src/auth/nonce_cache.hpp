#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace latch::auth {

struct NonceCacheOptions {
  // Independent locks: subjects are spread over them, so threads seldom wait for each other.
  std::size_t shards = 16;
  // Nonces remembered per subject: the subject's window. Past it the entry expiring first
  // is forgotten and the subject's floor rises to its exp: envelopes of that subject expiring
  // at or before the floor are refused (Stale), so forgetting never admits a replay, and a
  // client may send as fast as it likes as long as it sends its envelopes roughly in the
  // order it signed them. Bounds what one subject holds, so one client cannot fill the cache.
  std::size_t maxPerSubject = 4096;
  // Live envelopes in all; beyond, new envelopes are refused until old ones expire.
  std::size_t maxEntries = 1'000'000;
  // Live envelopes of one home (a partition: its members' commands), so one home cannot use
  // up the cache of the others; beyond, that home's new envelopes are refused until its old
  // ones expire.
  std::size_t maxPerHome = 65'536;

  std::string validate() const;
};

// Remembers each (subject, nonce) until its envelope's exp, so an envelope runs at most once:
// memory stays bounded whatever clients send (entries expire; per-subject, per-home and total
// caps). An entry is forgotten only once both clocks say its envelope has expired: the wall
// clock (exp is calendar time) and the monotonic clock (the lifetime it had when it was
// checked), so the wall clock jumping forward and back, or back alone, never forgets a nonce
// whose envelope is still live. Thread-safe.
class NonceCache {
 public:
  enum class Verdict {
    Fresh,      // first use: remembered until exp
    Replayed,   // this subject already used this nonce, and the envelope is still live
    Stale,      // expires at or before the subject's floor: it may have run already
    CacheFull,  // the cache holds maxEntries live envelopes, or the home maxPerHome
  };

  explicit NonceCache(NonceCacheOptions options = {});
  ~NonceCache();

  // Records `nonce` (the 16 decoded bytes) for `subject` in `home` until `expMs`, unless
  // seen. `nowMs` is wall-clock time, `monoMs` monotonic time (any origin, never going
  // back). Expired entries of the subject are dropped first (of the whole shard, once a
  // second).
  Verdict check(std::string_view home, std::string_view subject,
                const std::array<std::uint8_t, 16>& nonce, std::int64_t expMs, std::int64_t nowMs,
                std::int64_t monoMs);

  // Live entries (some may have expired but not been dropped yet).
  std::size_t size() const;
  // Approximate heap bytes held, for the memory figures.
  std::size_t memoryBytes() const;

 private:
  struct Shard;
  Shard& shardFor(std::uint64_t homeHash);

  const NonceCacheOptions options_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<std::size_t> total_{0};
};

}  // namespace latch::auth
