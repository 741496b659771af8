#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "bench/echo_loop.hpp"
#include "bench/hub_client.hpp"
#include "bench/latency_histogram.hpp"
#include "bench/run_control.hpp"

namespace latch::bench {

// A user's closed loop of SendCommand invocations: keeps `inflight` commands outstanding,
// each a fresh envelope signed with the user's session key, sends the next as soon as one is
// answered (until the phase is Done), records each round trip's latency while the phase is
// Measure, and counts the outcomes of every command answered. Lives on its connection's
// strand; read its results only after the run has stopped.
class CommandLoop {
 public:
  // `key` (the user's session key), `msg` (the command's JSON text), `phase`, `outstanding`
  // and `run` must outlive the loop; `outstanding` counts the commands of all loops not yet
  // answered. `lifetimeMs` is each envelope's exp - iat.
  CommandLoop(std::size_t index, std::size_t inflight, std::span<const std::uint8_t> key,
              std::string msg, std::int64_t lifetimeMs, const std::atomic<Phase>& phase,
              std::atomic<std::int64_t>& outstanding, RunControl& run);

  // Starts the loop on `client` (a ready connection). On the client's strand.
  void start(HubClient& client);

  // Handles one hub message from the server. On the client's strand.
  void onRecord(std::string_view record);

  const LatencyHistogram& histogram() const { return histogram_; }
  std::uint64_t sent() const { return sent_; }
  // Answers by status ("ok", "denied", ...; "error" for a Completion carrying an error).
  std::map<std::string, std::uint64_t> outcomes() const;
  // The first answer of each status but "ok", as received (its start).
  const std::map<std::string, std::string>& firstAnswers() const { return firstAnswers_; }

 private:
  using Clock = std::chrono::steady_clock;

  struct Slot {
    std::uint64_t invocationId = 0;  // slot i carries ids i, i + inflight, ...
    Clock::time_point sentAt;
    bool outstanding = false;
  };

  void send(std::size_t slot);
  void onCompletion(std::string_view invocationId, std::string_view status, std::string_view record,
                    Clock::time_point now);
  void fail(std::string_view why);

  std::size_t index_;
  std::span<const std::uint8_t> key_;
  const std::string msg_;
  const std::int64_t lifetimeMs_;
  const std::atomic<Phase>& phase_;
  std::atomic<std::int64_t>& outstanding_;
  RunControl& run_;
  HubClient* client_ = nullptr;
  std::vector<Slot> slots_;
  std::string out_;  // reused to build each invocation
  LatencyHistogram histogram_;
  std::uint64_t sent_ = 0;
  std::uint64_t ok_ = 0;  // kept apart from outcomes_: the common case costs no map lookup
  std::map<std::string, std::uint64_t> outcomes_;  // all but "ok"
  std::map<std::string, std::string> firstAnswers_;
};

// A device: answers every Execute invocation with {"status":"ok","output":null} once its
// envelope verifies with the device's session key, and with {"status":"failed","output":
// <why>} (counted as a refusal) when it does not. Lives on its connection's strand.
class DeviceResponder {
 public:
  // `key` and `run` must outlive the responder.
  DeviceResponder(std::size_t index, std::span<const std::uint8_t> key, RunControl& run);

  // The connection to answer on; call before any record arrives.
  void bind(HubClient& client) { client_ = &client; }

  // Handles one hub message from the server. On the client's strand.
  void onRecord(std::string_view record);

  std::uint64_t executed() const { return executed_; }
  std::uint64_t refused() const { return refused_; }
  // Why the first envelope was refused (empty if none).
  const std::string& firstRefusal() const { return firstRefusal_; }

 private:
  std::size_t index_;
  std::span<const std::uint8_t> key_;
  RunControl& run_;
  HubClient* client_ = nullptr;
  const boost::json::value okResult_;
  std::string out_;
  std::uint64_t executed_ = 0;
  std::uint64_t refused_ = 0;
  std::string firstRefusal_;
};

}  // namespace latch::bench
