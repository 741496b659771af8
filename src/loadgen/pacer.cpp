#include "loadgen/pacer.hpp"

#include <chrono>

namespace latch::loadgen {

Pacer::Pacer(double rate, std::vector<InvokeLoop*> loops, const std::atomic<Phase>& phase)
    : loops_(std::move(loops)), phase_(phase), thread_([this, rate] { run(rate); }) {}

Pacer::~Pacer() { thread_.join(); }

void Pacer::run(double rate) {
  using Clock = std::chrono::steady_clock;
  if (loops_.empty() || !(rate > 0)) return;
  const auto interval = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(1.0 / rate));
  const auto start = Clock::now();
  for (std::uint64_t k = 0; phase_.load(std::memory_order_relaxed) != Phase::Done; ++k) {
    // Due times come from the start, not from the last send: sleeping late does not lower
    // the rate, it sends what is due at once.
    const auto due = start + interval * static_cast<Clock::rep>(k);
    std::this_thread::sleep_until(due);
    loops_[k % loops_.size()]->sendDue(due);
  }
}

}  // namespace latch::loadgen
