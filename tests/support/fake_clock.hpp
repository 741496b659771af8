#pragma once

#include <atomic>

#include "common/clock.hpp"

namespace latch::testing {

// A clock that moves only when the test says so: deadlines without sleeps.
class FakeClock final : public Clock {
 public:
  SteadyTime now() const override { return SteadyTime(SteadyTime::duration(ticks_.load())); }
  void advance(Millis d) { ticks_ += std::chrono::duration_cast<SteadyTime::duration>(d).count(); }

 private:
  std::atomic<SteadyTime::rep> ticks_{1'000'000'000};
};

}  // namespace latch::testing
