#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace latch::auth {

// The 32 bytes of a session key: HMAC-SHA256(envelopeSecret, "latch-session-v1|" + jti).
using SessionKeyBytes = std::array<std::uint8_t, 32>;

// The session key of the token with id `jti` (SPEC section 2). The server recomputes it from
// a connection's token and stores nothing. Thread-safe.
SessionKeyBytes sessionKeyBytes(std::span<const std::uint8_t> envelopeSecret, std::string_view jti);

// The same key as clients receive it: base64url without padding. Envelopes are signed with
// the decoded bytes.
std::string sessionKey(std::span<const std::uint8_t> envelopeSecret, std::string_view jti);

}  // namespace latch::auth
