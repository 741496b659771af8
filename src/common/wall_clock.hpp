#pragma once

#include <chrono>
#include <cstdint>

namespace latch {

// Calendar time, for token and envelope timestamps (which are wall-clock by definition);
// injectable so tests can put "now" anywhere. Deadlines use the monotonic Clock instead.
class WallClock {
 public:
  virtual ~WallClock() = default;
  // Milliseconds since the Unix epoch.
  virtual std::int64_t nowMillis() const = 0;
  std::int64_t nowSeconds() const { return nowMillis() / 1000; }
};

// The system's real-time clock. Thread-safe.
class SystemWallClock final : public WallClock {
 public:
  std::int64_t nowMillis() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

}  // namespace latch
