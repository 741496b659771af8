#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bench/hub_client.hpp"
#include "bench/run_control.hpp"
#include "loadgen/latency_histogram.hpp"

namespace latch::bench {

using loadgen::LatencyHistogram;

// Which round trips count: only those completing while the run measures.
enum class Phase : int { WarmUp, Measure, Done };

// One connection's closed loop of Echo invocations: keeps `inflight` invocations outstanding,
// sends the next one as soon as a Completion comes back, and records each round trip's
// latency while the phase is Measure. Lives on its connection's strand; read its histogram
// only after the run has stopped.
class EchoLoop {
 public:
  // `payload` is the string argument of every Echo call: plain characters that JSON need not
  // escape. `phase` and `run` are shared by all loops and must outlive them.
  EchoLoop(std::size_t index, std::size_t inflight, const std::string& payload,
           const std::atomic<Phase>& phase, RunControl& run);

  // Starts the loop on `client` (a ready connection). On the client's strand.
  void start(HubClient& client);

  // Handles one hub message from the server. On the client's strand.
  void onRecord(std::string_view record);

  const LatencyHistogram& histogram() const { return histogram_; }

 private:
  using Clock = std::chrono::steady_clock;

  struct Slot {
    std::uint64_t invocationId = 0;  // slot i carries ids i, i + inflight, i + 2 * inflight...
    Clock::time_point sentAt;
    bool outstanding = false;
  };

  void send(std::size_t slot);
  void onCompletion(std::string_view invocationId, Clock::time_point now);
  void fail(std::string_view why);

  std::size_t index_;
  const std::string& payload_;
  const std::atomic<Phase>& phase_;
  RunControl& run_;
  HubClient* client_ = nullptr;
  std::vector<Slot> slots_;  // fixed: one per invocation in flight
  std::string out_;          // reused to build each invocation
  LatencyHistogram histogram_;
};

}  // namespace latch::bench
