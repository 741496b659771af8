#pragma once
// Entry points of the stream-owning parts of the transport layer, instantiated for plain
// and TLS streams in their own files. Included only by transport .cpp files.

#include <memory>

#include <boost/asio/ip/tcp.hpp>

#include "common/limits.hpp"
#include "transport/connection_port.hpp"
#include "transport/detail/beast.hpp"

namespace latch::transport {

struct RouterContext;

// Accepts the WebSocket upgrade in `request` and carries `connection` over it (409 when
// the connection got another transport meanwhile).
template <class Stream>
void startWebSocket(Stream stream, SocketSlot slot, Request request,
                    std::shared_ptr<ConnectionPort> connection, const Limits& limits);

// Answers `request` with an event stream that carries `connection`'s outgoing records.
// `extraHeaders` (CORS) go into the response head.
template <class Stream>
void startServerSentEvents(Stream stream, SocketSlot slot, Request request,
                           std::shared_ptr<ConnectionPort> connection, const Limits& limits,
                           const std::vector<std::pair<std::string, std::string>>& extraHeaders);

// Serves HTTP/1.1 requests on an accepted socket until it closes.
void startPlainSession(tcp::socket socket, SocketSlot slot, RouterContext& ctx);
void startTlsSession(tcp::socket socket, asio::ssl::context& tls, SocketSlot slot,
                     RouterContext& ctx);

// The response every transport gives a request it refuses.
template <class Body>
void setCommonHeaders(http::response<Body>& response) {
  response.set(http::field::server, "latch");
  response.set(http::field::cache_control, "no-store");
  response.set("X-Content-Type-Options", "nosniff");
}

}  // namespace latch::transport
