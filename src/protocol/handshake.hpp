#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/protocol_error.hpp"

namespace latch::protocol {

// The protocol and version this server speaks.
inline constexpr std::string_view kJsonProtocol = "json";
inline constexpr std::int64_t kJsonProtocolVersion = 1;

struct HandshakeRequest {
  std::string protocol;
  std::int64_t version = 0;
};

// Parses and checks the first record of a connection. InvalidJson/MissingField/... for a
// malformed request, UnsupportedProtocol or UnsupportedVersion for a well-formed one this
// server cannot serve; each error's message is meant for the handshake response.
ProtocolResult<HandshakeRequest> parseHandshakeRequest(std::string_view text);

// The handshake response, terminated by the record separator: `{}` on success, or
// `{"error":"..."}`.
std::string handshakeResponse(std::optional<std::string_view> error);

}  // namespace latch::protocol
