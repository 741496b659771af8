#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <thread>
#include <vector>

#include "loadgen/invoke_loop.hpp"
#include "loadgen/latency_histogram.hpp"
#include "loadgen/run_phase.hpp"

namespace latch::loadgen {

// An open loop: sends `rate` invocations per second in all, spread evenly over `loops` in
// turn, on a thread of its own, whatever the answers (a closed loop slows down with the
// server and hides its queueing). A loop with `perLoop` invocations unanswered, or whose
// connection failed, is skipped for the next; when all are, the due invocation waits for the first
// to free up (servers cap invocations per connection). Each invocation is timed from when it was
// due, not when it left, so a stall or a wait shows in the latency. Stops once the phase is Done;
// the destructor joins if join() was not called.
class Pacer {
 public:
  // `loops` (made with paced = true) and `phase` must outlive the pacer.
  Pacer(double rate, std::size_t perLoop, std::vector<InvokeLoop*> loops,
        const std::atomic<Phase>& phase);
  ~Pacer();
  // Waits for the thread to end (call once the phase is Done), then returns how late each
  // invocation left after it was due while the phase was Measure: the load generator's own
  // delay (the thread woke late, or every loop was full).
  const LatencyHistogram& join();

  Pacer(const Pacer&) = delete;
  Pacer& operator=(const Pacer&) = delete;

 private:
  void run(double rate);
  // The next loop from `from` on with room for one more, or nullptr.
  InvokeLoop* freeLoop(std::size_t from) const;

  const std::int64_t perLoop_;
  const std::vector<InvokeLoop*> loops_;
  const std::atomic<Phase>& phase_;
  LatencyHistogram lag_;
  std::thread thread_;
};

}  // namespace latch::loadgen
