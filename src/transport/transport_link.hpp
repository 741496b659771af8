#pragma once

#include <string_view>

#include "common/clock.hpp"

namespace latch::transport {

enum class TransportKind { WebSockets, ServerSentEvents, LongPolling };

// The name SignalR uses for a transport ("WebSockets", "ServerSentEvents", "LongPolling").
std::string_view transportName(TransportKind kind);

// One transport carrying one logical connection, as the layers above see it: never Asio or
// Beast. Implementations are thread-safe.
class TransportLink {
 public:
  virtual ~TransportLink() = default;

  // Queues complete records for delivery, in call order. False when the link is closing or
  // the queued bytes would exceed the backlog bound; the caller then aborts the connection.
  [[nodiscard]] virtual bool send(std::string_view records) = 0;

  // Delivers what is queued, then ends the transport. The link reports the end through
  // ConnectionPort::onTransportClosed(). Idempotent.
  virtual void close() = 0;

  // Ends the transport at once, dropping what is queued. Idempotent.
  virtual void abort() = 0;

  virtual TransportKind kind() const = 0;

  // Called periodically with the current time, for transport-level deadlines.
  virtual void tick(SteadyTime now) {}
};

}  // namespace latch::transport
