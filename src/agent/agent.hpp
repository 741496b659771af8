#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>

#include <boost/json/array.hpp>

#include "agent/agent_options.hpp"
#include "agent/event_socket.hpp"
#include "agent/execute_guard.hpp"
#include "client/hub_connection.hpp"

namespace latch::agent {

// Exit statuses of `latch agent`.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
// The server refused the device's credentials (revoked or wrong PAT): restarting will not help
// (the systemd unit's RestartPreventExitStatus).
inline constexpr int kExitRefused = 78;

// The home hub agent (SPEC section 7): exchanges its PAT for a device token, stays connected
// (reconnecting with backoff, refreshing its token in-band), and runs the local handler of
// each Execute the guard admits, answering {status, output}.
class Agent {
 public:
  explicit Agent(AgentOptions options);
  // Waits for running handlers (each bounded by its timeout).
  ~Agent();

  // Connects and serves until stop() or a final error. Returns the exit status. Call once.
  int run();

  // Asks run() to return. Thread-safe, async-signal-unsafe (call it from a signal thread).
  void stop();

 private:
  void execute(boost::json::array arguments, client::HubConnection::Reply reply);
  void runCommand(AcceptedCommand command, client::HubConnection::Reply reply);
  client::ClientResult<client::TokenGrant> fetchToken();
  // One line from the event socket: a JSON object, published in a signed envelope.
  std::string publish(std::string_view line);

  const AgentOptions options_;
  std::string pat_;
  ExecuteGuard guard_;
  std::unique_ptr<client::HubConnection> connection_;
  EventSocket events_;
  std::mutex mutex_;
  std::condition_variable idle_;
  std::size_t running_ = 0;
  std::atomic<bool> stopRequested_{false};
};

}  // namespace latch::agent
