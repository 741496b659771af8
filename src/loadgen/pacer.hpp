#pragma once

#include <atomic>
#include <thread>
#include <vector>

#include "loadgen/invoke_loop.hpp"
#include "loadgen/run_phase.hpp"

namespace latch::loadgen {

// An open loop: sends `rate` invocations per second in all, spread evenly over `loops` in
// turn, on a thread of its own, whatever the answers (a closed loop slows down with the
// server and hides its queueing). Each invocation is timed from when it was due, not when
// it left, so a stall shows in the latency. Stops once the phase is Done; the destructor
// joins.
class Pacer {
 public:
  // `loops` (made with paced = true) and `phase` must outlive the pacer.
  Pacer(double rate, std::vector<InvokeLoop*> loops, const std::atomic<Phase>& phase);
  ~Pacer();
  Pacer(const Pacer&) = delete;
  Pacer& operator=(const Pacer&) = delete;

 private:
  void run(double rate);

  const std::vector<InvokeLoop*> loops_;
  const std::atomic<Phase>& phase_;
  std::thread thread_;
};

}  // namespace latch::loadgen
