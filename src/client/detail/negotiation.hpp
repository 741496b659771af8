#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "client/client_error.hpp"

namespace latch::client::detail {

// What a negotiate response offers (specs/signalr/TransportProtocols.md).
struct Negotiation {
  std::string connectionToken;              // the id transports send (connectionId for version 0)
  std::vector<std::string> textTransports;  // transports offered with the Text format

  bool offers(std::string_view transport) const;
};

// Parses a negotiate response body. Refused with the server's error text for {"error": ...};
// Protocol for anything malformed or for a redirect (not supported). Thread-safe.
[[nodiscard]] ClientResult<Negotiation> parseNegotiation(std::string_view body);

}  // namespace latch::client::detail
