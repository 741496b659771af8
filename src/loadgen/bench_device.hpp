#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

#include "agent/execute_guard.hpp"
#include "auth/session_key.hpp"
#include "client/hub_connection.hpp"

namespace latch::loadgen {

// A device for the relay run: every Execute goes through the agent's own checks
// (agent::ExecuteGuard: the server's envelope verified with the device's session key, not
// expired, its nonce never seen, the command for this device with a handler) and is answered
// {"status":"ok","output":null} without running anything; a refused one is answered
// {"status":"failed"} and counted. Thread-safe.
class BenchDevice {
 public:
  BenchDevice(std::string deviceId, const auth::SessionKeyBytes& key);

  // Answers Execute on `connection`; call before it starts. The device must outlive it.
  void attach(client::HubConnection& connection);

  std::uint64_t executed() const { return executed_.load(); }
  std::uint64_t refused() const { return refused_.load(); }
  // Why the first envelope was refused (empty if none).
  std::string firstRefusal() const;

  // Answers one Execute invocation (what attach() registers), through `reply`.
  void answer(const boost::json::array& arguments, const client::HubConnection::Reply& reply);

 private:
  agent::ExecuteGuard guard_;
  std::atomic<std::uint64_t> executed_{0};
  std::atomic<std::uint64_t> refused_{0};
  mutable std::mutex mutex_;
  std::string firstRefusal_;
};

}  // namespace latch::loadgen
