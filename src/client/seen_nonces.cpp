#include "client/seen_nonces.hpp"

#include <cstring>

namespace latch::client {

std::size_t SeenNonces::NonceHash::operator()(const std::array<std::uint8_t, 16>& nonce) const {
  // Nonces are random: their first bytes are already a good hash.
  std::size_t h;
  std::memcpy(&h, nonce.data(), sizeof h);
  return h;
}

SeenNonces::Outcome SeenNonces::remember(const std::array<std::uint8_t, 16>& nonce,
                                         std::int64_t expMs, std::int64_t nowMs) {
  std::lock_guard lock(mutex_);
  dropExpired(nowMs);
  if (byNonce_.contains(nonce)) return Outcome::Seen;
  if (byNonce_.size() >= capacity_) return Outcome::Full;
  byNonce_.emplace(nonce, expMs);
  byExpiry_.emplace(expMs, nonce);
  return Outcome::Fresh;
}

std::size_t SeenNonces::size() const {
  std::lock_guard lock(mutex_);
  return byNonce_.size();
}

void SeenNonces::dropExpired(std::int64_t nowMs) {
  // An envelope is refused once exp <= now, so its nonce is no longer needed then.
  while (!byExpiry_.empty() && byExpiry_.begin()->first <= nowMs) {
    byNonce_.erase(byExpiry_.begin()->second);
    byExpiry_.erase(byExpiry_.begin());
  }
}

}  // namespace latch::client
