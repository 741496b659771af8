#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <unordered_map>

namespace latch::client {

// The device side's memory of executed envelopes (SPEC section 5: "executes each nonce at
// most once"): each nonce is remembered until its envelope's exp, so a duplicate delivery
// (a replayed frame, a reconnect race) is recognised while it could still be accepted.
// Bounded: beyond `capacity` live entries new envelopes are refused, never old ones
// forgotten early. Thread-safe.
class SeenNonces {
 public:
  enum class Outcome { Fresh, Seen, Full };

  explicit SeenNonces(std::size_t capacity = 65'536) : capacity_(capacity) {}

  // Records `nonce` (valid until expMs) unless already there. Expired entries are dropped
  // first, using nowMs.
  Outcome remember(const std::array<std::uint8_t, 16>& nonce, std::int64_t expMs,
                   std::int64_t nowMs);

  std::size_t size() const;

 private:
  struct NonceHash {
    std::size_t operator()(const std::array<std::uint8_t, 16>& nonce) const;
  };
  void dropExpired(std::int64_t nowMs);

  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::unordered_map<std::array<std::uint8_t, 16>, std::int64_t, NonceHash> byNonce_;
  std::multimap<std::int64_t, std::array<std::uint8_t, 16>> byExpiry_;
};

}  // namespace latch::client
