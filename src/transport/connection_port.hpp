#pragma once

#include <memory>
#include <string_view>

#include "transport/transport_link.hpp"

namespace latch::transport {

// A logical connection as the transport layer sees it: something a transport attaches to,
// feeds with the client's bytes and tells when it ends. The hub layer implements it; the
// transport never sees hub messages. Thread-safe.
class ConnectionPort {
 public:
  virtual ~ConnectionPort() = default;

  enum class Attach { Attached, AlreadyAttached, Closed };
  // Binds the transport that carries this connection; at most one, ever.
  virtual Attach attach(std::shared_ptr<TransportLink> link) = 0;
  // The attached transport, or null before one is attached.
  virtual std::shared_ptr<TransportLink> link() const = 0;
  // True once the connection has ended; its transports then answer 404.
  virtual bool ended() const = 0;

  // Bytes from the client. Never called concurrently for one connection: half-transports
  // bracket each POST with tryBeginReceive()/endReceive() and answer 409 when busy.
  virtual void onReceive(std::string_view bytes) = 0;
  virtual bool tryBeginReceive() = 0;
  virtual void endReceive() = 0;
  // The transport got input it cannot pass on (a binary frame on a text protocol): the
  // connection closes with `reason` as its error.
  virtual void onInvalidInput(std::string_view reason) = 0;
  // The client showed it is alive without sending a message (a long poll arrived).
  virtual void noteClientActivity() = 0;
  // The transport has ended, for any reason. Idempotent.
  virtual void onTransportClosed() = 0;
};

}  // namespace latch::transport
