#include "loadgen/pacer.hpp"

#include <algorithm>
#include <chrono>

namespace latch::loadgen {

namespace {

// How often the pacer looks again while every loop is full.
constexpr std::chrono::microseconds kFullRetry{50};
// The longest the pacer sleeps before it looks at the phase again.
constexpr std::chrono::milliseconds kLongestSleep{20};

}  // namespace

Pacer::Pacer(double rate, std::size_t perLoop, std::vector<InvokeLoop*> loops,
             const std::atomic<Phase>& phase)
    : perLoop_(static_cast<std::int64_t>(perLoop)),
      loops_(std::move(loops)),
      phase_(phase),
      thread_([this, rate] { run(rate); }) {}

Pacer::~Pacer() {
  if (thread_.joinable()) thread_.join();
}

const LatencyHistogram& Pacer::join() {
  if (thread_.joinable()) thread_.join();
  return lag_;
}

void Pacer::run(double rate) {
  using Clock = InvokeLoop::Clock;
  if (loops_.empty() || !(rate > 0)) return;
  const auto interval =
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / rate));
  const auto start = Clock::now();
  for (std::uint64_t k = 0; phase_.load(std::memory_order_relaxed) != Phase::Done; ++k) {
    // Due times come from the start, not from the last send: sleeping late does not lower
    // the rate, it sends what is due at once.
    const auto due = start + interval * static_cast<Clock::rep>(k);
    // In steps, so that a slow rate does not hold the run's end for a whole interval.
    while (Clock::now() < due && phase_.load(std::memory_order_relaxed) != Phase::Done) {
      std::this_thread::sleep_until(std::min(due, Clock::now() + kLongestSleep));
    }
    if (phase_.load(std::memory_order_relaxed) == Phase::Done) break;
    InvokeLoop* loop = freeLoop(k % loops_.size());
    while (!loop && phase_.load(std::memory_order_relaxed) != Phase::Done) {
      std::this_thread::sleep_for(kFullRetry);
      loop = freeLoop(k % loops_.size());
    }
    if (!loop) break;
    if (phase_.load(std::memory_order_relaxed) == Phase::Measure) {
      lag_.record(static_cast<std::uint64_t>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - due).count()));
    }
    loop->sendDue(due);
  }
}

InvokeLoop* Pacer::freeLoop(std::size_t from) const {
  for (std::size_t i = 0; i < loops_.size(); ++i) {
    auto* loop = loops_[(from + i) % loops_.size()];
    if (loop->alive() && loop->inFlight() < perLoop_) return loop;
  }
  return nullptr;
}

}  // namespace latch::loadgen
