#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include "client/hub_connection.hpp"
#include "loadgen/latency_histogram.hpp"
#include "loadgen/run_phase.hpp"

namespace latch::loadgen {

// What one closed loop invokes, and how it judges each result.
struct LoopCall {
  std::string method;
  // The arguments of the next invocation (a fresh envelope each time, say). Thread-safe: while
  // start() runs it may be called on the caller's thread and the connection's at once.
  std::function<boost::json::array()> arguments;
  // "ok" for a good result, else the status to count it under ("denied", "wrong echo", ...).
  std::function<std::string_view(const boost::json::value& result)> classify;
};

// A closed loop of invocations on a client::HubConnection: keeps `inflight` outstanding,
// sends the next as soon as one is answered (until the phase is Done), records each round
// trip's latency while the phase is Measure, and counts every result by its status. An
// invocation the connection could not deliver (closed, timed out) stops the loop: a load
// generator that keeps sending into a dead connection measures nothing.
//
// Results arrive on the connection's I/O thread; read the counts only once the connection
// has stopped (HubConnection::waitUntilStopped orders them before the read).
class InvokeLoop {
 public:
  using Clock = std::chrono::steady_clock;

  // `connection`, `phase` and `outstanding` must outlive the loop; `outstanding` counts the
  // invocations of all loops not yet answered. `paced`: an answer sends nothing; a Pacer
  // calls sendDue() instead (an open loop).
  InvokeLoop(client::HubConnection& connection, LoopCall call, const std::atomic<Phase>& phase,
             std::atomic<std::int64_t>& outstanding, bool paced = false);

  // Sends the first `inflight` invocations. Call once, from any thread.
  void start(std::size_t inflight);
  // Sends one invocation, its latency counted from `due`. Any thread.
  void sendDue(Clock::time_point due) { send(due); }
  // Invocations sent and not yet answered.
  std::int64_t inFlight() const { return inFlight_.load(std::memory_order_relaxed); }
  // False once an invocation could not be delivered: send nothing more (a Pacer skips it).
  bool alive() const { return alive_.load(std::memory_order_relaxed); }

  const LatencyHistogram& histogram() const { return histogram_; }
  std::uint64_t sent() const { return sent_.load(); }
  // Results by status ("ok", ...); "error" for an invocation that failed.
  std::map<std::string, std::uint64_t> outcomes() const;
  // The first result of each status but "ok", as received (its start).
  const std::map<std::string, std::string>& firstAnswers() const { return firstAnswers_; }

 private:
  void send(Clock::time_point sentAt);
  void onResult(const client::ClientResult<boost::json::value>& result, Clock::time_point sentAt);
  void count(std::string_view status, std::string_view answer);

  client::HubConnection& connection_;
  const LoopCall call_;
  const std::atomic<Phase>& phase_;
  std::atomic<std::int64_t>& outstanding_;
  const bool paced_;
  std::atomic<std::uint64_t> sent_{0};
  std::atomic<std::int64_t> inFlight_{0};
  std::atomic<bool> alive_{true};
  // The connection's I/O thread's own, from the first result on.
  LatencyHistogram histogram_;
  std::uint64_t ok_ = 0;  // kept apart from outcomes_: the common case costs no map lookup
  std::map<std::string, std::uint64_t> outcomes_;  // all but "ok"
  std::map<std::string, std::string> firstAnswers_;
};

}  // namespace latch::loadgen
