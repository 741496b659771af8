#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace latch::auth {

// The session key of the token with id `jti` (SPEC section 2): base64url, without padding,
// of HMAC-SHA256(envelopeSecret, "latch-session-v1|" + jti). The server recomputes it from
// a connection's token and stores nothing. Thread-safe.
std::string sessionKey(std::span<const std::uint8_t> envelopeSecret, std::string_view jti);

}  // namespace latch::auth
