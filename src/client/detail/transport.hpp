#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "client/client_error.hpp"
#include "client/connection_options.hpp"
#include "client/detail/net.hpp"

namespace latch::client::detail {

// One SignalR transport of one connection (specs/signalr/TransportProtocols.md), used from
// the connection's thread only: at most one receive() and one send() in flight at a time.
class Transport {
 public:
  virtual ~Transport() = default;

  // Opens the transport for `connectionToken`; when it returns, send() and receive() work.
  virtual asio::awaitable<ClientResult<void>> open(std::string connectionToken) = 0;

  // The next text from the server: any number of whole or partial records. Closed when the
  // server ended the transport, another error when it broke.
  virtual asio::awaitable<ClientResult<std::string>> receive() = 0;

  // Sends `records` (whole records, each ending with the record separator).
  virtual asio::awaitable<ClientResult<void>> send(std::string records) = 0;

  // Ends the transport politely (a WebSocket close, a DELETE for long polling), bounded by
  // the open timeout. Pending operations then fail.
  virtual asio::awaitable<void> close() = 0;

  // Ends the transport at once: pending receive() and send() complete with an error.
  // Idempotent.
  virtual void abort() = 0;
};

std::unique_ptr<Transport> makeWebSocketTransport(asio::any_io_executor executor,
                                                  const Endpoint& endpoint,
                                                  std::size_t maxMessageBytes);
std::unique_ptr<Transport> makeServerSentEventsTransport(asio::any_io_executor executor,
                                                         const Endpoint& endpoint,
                                                         std::size_t maxMessageBytes);
std::unique_ptr<Transport> makeLongPollingTransport(asio::any_io_executor executor,
                                                    const Endpoint& endpoint,
                                                    std::size_t maxMessageBytes);

// The request target of the hub path with `id=<connection token>` (URL-encoded).
std::string hubTarget(const ServerUrl& server, std::string_view connectionToken);

}  // namespace latch::client::detail
