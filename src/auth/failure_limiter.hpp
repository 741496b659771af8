#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace latch::auth {

struct FailureLimiterOptions {
  // Failed attempts allowed per key within one window; more are refused until it ends.
  std::size_t maxFailures = 10;
  std::int64_t windowMs = 60'000;
  // Keys remembered at most (memory stays bounded whatever the callers send); when full the
  // entry whose window started first is forgotten.
  std::size_t maxKeys = 10'000;
};

// Counts failed attempts per key (a client id, a source address) in fixed windows, to slow
// down guessing. Thread-safe.
class FailureLimiter {
 public:
  explicit FailureLimiter(FailureLimiterOptions options = {}) : options_(options) {}

  // False while `key` has used up its failures in the current window.
  bool allowed(std::string_view key, std::int64_t nowMs) const;
  // Counts one failure of `key`.
  void noteFailure(std::string_view key, std::int64_t nowMs);
  // Milliseconds until `key` may try again (0 if it may now).
  std::int64_t retryAfterMs(std::string_view key, std::int64_t nowMs) const;

  std::size_t size() const;

 private:
  struct Window {
    std::int64_t startMs = 0;
    std::size_t failures = 0;
  };
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  void evictOne(std::int64_t nowMs);

  const FailureLimiterOptions options_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Window, StringHash, std::equal_to<>> windows_;
};

}  // namespace latch::auth
