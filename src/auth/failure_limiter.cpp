#include "auth/failure_limiter.hpp"

namespace latch::auth {

bool FailureLimiter::allowed(std::string_view key, std::int64_t nowMs) const {
  return retryAfterMs(key, nowMs) == 0;
}

std::int64_t FailureLimiter::retryAfterMs(std::string_view key, std::int64_t nowMs) const {
  std::lock_guard lock(mu_);
  const auto it = windows_.find(key);
  if (it == windows_.end()) return 0;
  const auto& w = it->second;
  const std::int64_t end = w.startMs + options_.windowMs;
  if (nowMs >= end || w.failures < options_.maxFailures) return 0;
  return end - nowMs;
}

void FailureLimiter::noteFailure(std::string_view key, std::int64_t nowMs) {
  std::lock_guard lock(mu_);
  auto it = windows_.find(key);
  if (it == windows_.end()) {
    if (windows_.size() >= options_.maxKeys) evictOne(nowMs);
    it = windows_.emplace(std::string(key), Window{nowMs, 0}).first;
  }
  auto& w = it->second;
  if (nowMs >= w.startMs + options_.windowMs) w = Window{nowMs, 0};
  ++w.failures;
}

void FailureLimiter::evictOne(std::int64_t nowMs) {
  // Expired windows first; else the oldest. O(n) only when the table is full.
  auto oldest = windows_.begin();
  for (auto it = windows_.begin(); it != windows_.end(); ++it) {
    if (nowMs >= it->second.startMs + options_.windowMs) {
      windows_.erase(it);
      return;
    }
    if (it->second.startMs < oldest->second.startMs) oldest = it;
  }
  if (oldest != windows_.end()) windows_.erase(oldest);
}

std::size_t FailureLimiter::size() const {
  std::lock_guard lock(mu_);
  return windows_.size();
}

}  // namespace latch::auth
