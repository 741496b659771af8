#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include "client/client_error.hpp"
#include "client/connection_options.hpp"
#include "client/io_threads.hpp"
#include "client/token_grant.hpp"

namespace latch::client {

enum class ConnectionStatus { Connecting, Connected, Reconnecting, Stopped };

std::string_view connectionStatusName(ConnectionStatus status);

// A SignalR client connection to a Latch hub (JSON hub protocol): negotiate, WebSockets with
// fallback to Server-Sent Events and long polling, invocations with results, handlers for
// server-to-client calls (with client results), keep-alive and server timeout, in-band token
// refresh, and reconnect with backoff when asked to.
//
// Its I/O runs on a thread of its own, or on IoThreads shared with other connections. Handlers
// and the status callback run on that thread and must not block it for long (reply to a client
// result later, from any thread, instead).
// Register handlers before start(). Every other method is thread-safe, except that invoke()
// and stop() must not be called from a handler.
class HubConnection {
 public:
  // Answers a server-to-client invocation: once, from any thread. An error is sent as the
  // Completion's error.
  using Reply = std::function<void(ClientResult<boost::json::value>)>;
  // A server-to-client invocation that expects a result (like Execute).
  using ResultHandler = std::function<void(boost::json::array arguments, Reply reply)>;
  // A server-to-client invocation without a result (like Event or TokenExpiring).
  using EventHandler = std::function<void(const boost::json::array& arguments)>;
  // Status changes, with a reason for Reconnecting and Stopped ("" after stop()).
  using StatusHandler = std::function<void(ConnectionStatus status, std::string_view detail)>;

  // A connection on an I/O thread of its own.
  HubConnection(ConnectionOptions options, TokenProvider tokens);
  // A connection on the shared `threads` (see IoThreads): its handlers then run on one of
  // them, one at a time.
  HubConnection(ConnectionOptions options, TokenProvider tokens,
                std::shared_ptr<IoThreads> threads);
  // Stops the connection and waits until it has; with a thread of its own, joins it (after the
  // last queued callbacks ran). On shared IoThreads a callback already queued (an
  // invokeAsync result, say) may still run after this returns, before the pool ends: what it
  // uses must outlive the pool.
  ~HubConnection();
  HubConnection(const HubConnection&) = delete;
  HubConnection& operator=(const HubConnection&) = delete;

  void onInvocation(std::string target, ResultHandler handler);
  void on(std::string target, EventHandler handler);
  void onStatus(StatusHandler handler);

  // Connects, trying the transports in order. Without `reconnect`, returns the first
  // failure; with it, keeps trying in the background and returns once connected, or with
  // the error that stopped it for good (Unauthorized, ...). Call once.
  [[nodiscard]] ClientResult<void> start();

  // Invokes `method` and waits for its Completion (at most `timeout`). Closed when not
  // connected or when the connection drops first; Refused with the server's error text.
  [[nodiscard]] ClientResult<boost::json::value> invoke(
      std::string_view method, boost::json::array arguments,
      std::chrono::milliseconds timeout = std::chrono::seconds(60));

  // The same without waiting: `done` runs once, on the connection's thread.
  void invokeAsync(std::string_view method, boost::json::array arguments,
                   std::function<void(ClientResult<boost::json::value>)> done);

  // Closes the connection (politely, bounded in time) and stops reconnecting. Idempotent.
  void stop();

  // Blocks until the connection has stopped for good: success after stop(), else the error
  // that ended it (a final error, or a lost connection without `reconnect`).
  [[nodiscard]] ClientResult<void> waitUntilStopped();

  // The grant the current connection uses (its session key signs envelopes), and the
  // transport in use ("" when not connected). Thread-safe snapshots.
  TokenGrant grant() const;
  std::string transport() const;

 private:
  class Impl;
  std::shared_ptr<IoThreads> threads_;  // declared first: it outlives impl_
  std::shared_ptr<Impl> impl_;
};

}  // namespace latch::client
