#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "common/clock.hpp"
#include "transport/connection_port.hpp"

namespace latch::transport {

// An HTTP answer decided above the transport layer (negotiate, or a refusal).
struct HttpAnswer {
  int status = 200;
  std::string body;
  std::string contentType = "text/plain";
  std::vector<std::pair<std::string, std::string>> headers;
};

// What a request presented to prove who sent it: the bearer token from the Authorization
// header, or from the `access_token` query parameter (hub paths only). Empty when absent.
struct Credentials {
  std::string_view bearer;
  std::string_view remoteAddress;  // the peer's IP address, for per-source limits
};

// What the transport layer asks of the layer above for the hub path. The transport decides
// everything HTTP (routes, transports, 400/405/409); this decides who may have which
// connection. Implemented by the hub layer. Thread-safe.
class EndpointHandler {
 public:
  virtual ~EndpointHandler() = default;

  // POST [hub]/negotiate with the client's `negotiateVersion` query value (nullopt when
  // absent): a new connection, or the refusal.
  virtual HttpAnswer negotiate(std::optional<std::string_view> version,
                               const Credentials& credentials) = 0;

  // A WebSocket request without `id` (the client skipped negotiate): a new connection, or
  // the refusal.
  virtual std::variant<std::shared_ptr<ConnectionPort>, HttpAnswer> openWithoutNegotiate(
      const Credentials& credentials) = 0;

  // The connection whose token is `token`, for a transport request: 404 when unknown or
  // ended; a refusal when the credentials may not use it.
  virtual std::variant<std::shared_ptr<ConnectionPort>, HttpAnswer> find(
      std::string_view token, const Credentials& credentials) = 0;

  // Runs deadlines (timeouts, keep-alive). Called periodically by the server.
  virtual void tick(SteadyTime now) = 0;

  // Closes every connection: the server is stopping.
  virtual void shutdown() = 0;

  // The transports are gone (the I/O threads have stopped): forgets every connection without
  // any I/O, so that nothing outlives the server's I/O context.
  virtual void abandonAll() = 0;
};

}  // namespace latch::transport
