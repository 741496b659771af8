#pragma once

#include <optional>
#include <string_view>

#include "transport/endpoint_handler.hpp"

namespace latch::transport {

// A request outside the hub path, as the layers above see it. Views into the request;
// valid during the call only.
struct PlainRequest {
  std::string_view method;       // "GET", "POST", ...
  std::string_view path;         // without the query
  std::string_view query;        // the raw query string, without '?'
  std::string_view contentType;  // the Content-Type header, as sent
  std::string_view body;
  // From the Authorization header only: the access_token query parameter is accepted on
  // hub paths alone, so a token never has to travel in a URL elsewhere.
  std::string_view bearer;
  std::string_view remoteAddress;  // the peer's IP address, for rate limits and logs
};

// Serves the plain HTTP endpoints beside the hub (/.well-known/jwks.json, /auth/token).
// Implemented above the transport layer. Thread-safe.
class HttpHandler {
 public:
  virtual ~HttpHandler() = default;
  // The answer, or nullopt if the path is not this handler's (the server answers 404).
  virtual std::optional<HttpAnswer> handle(const PlainRequest& request) = 0;
};

}  // namespace latch::transport
