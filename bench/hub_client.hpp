#pragma once

#include <functional>
#include <memory>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>

#include "bench/ws_target.hpp"

namespace latch::bench {

// One SignalR client connection: a WebSocket opened without negotiate, the JSON protocol
// handshake, then hub messages both ways. Every callback and every method except close()
// runs on the connection's strand (executor()).
class HubClient {
 public:
  struct Callbacks {
    // The handshake succeeded: send() may be called from now on.
    std::function<void()> onReady;
    // One hub message from the server, without its record separator, in arrival order.
    std::function<void(std::string_view record)> onRecord;
    // The connection ended, once: `error` is empty when close() asked for it, else it says
    // what went wrong (connect, upgrade, handshake refused, dropped by the server, ...).
    std::function<void(std::string_view error)> onEnd;
  };

  virtual ~HubClient() = default;

  // Connects, upgrades to a WebSocket, sends the handshake and waits for its answer. Call once.
  virtual void open() = 0;

  // Sends `records` (each already terminated by 0x1E) after anything queued before; one write
  // is in flight at a time, later records are batched into the next frame. On the strand only.
  virtual void send(std::string_view records) = 0;

  // Sends a WebSocket close once queued records are written (or drops a connection still
  // opening); onEnd follows with an empty error. Thread-safe.
  virtual void close() = 0;

  // The strand every callback runs on.
  virtual boost::asio::any_io_executor executor() const = 0;
};

// A client that will connect to `target`; nothing happens before open(). `strand` must be a
// strand (or a single-threaded executor).
std::shared_ptr<HubClient> makeHubClient(boost::asio::any_io_executor strand,
                                         const WsTarget& target, HubClient::Callbacks callbacks);

}  // namespace latch::bench
