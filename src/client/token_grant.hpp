#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "auth/session_key.hpp"
#include "client/client_error.hpp"

namespace latch::client {

// A Latch access token with the session key that signs envelopes on connections that use it
// (SPEC section 2). Never logged.
struct TokenGrant {
  std::string accessToken;
  auth::SessionKeyBytes sessionKey{};
  std::int64_t expiresAtMs = 0;  // the token's exp, in milliseconds since the epoch
};

// Reads a token response ({"access_token", "token_type", "expires_in", "session_key"}), the
// JSON that /auth/token answers and `latch token issue` prints. The expiry comes from the
// token's own exp claim (read, not verified: the server verifies). BadInput when a field is
// missing or malformed. Thread-safe.
[[nodiscard]] ClientResult<TokenGrant> parseTokenResponse(std::string_view json);

// parseTokenResponse of a token file (`--token-file`). The file must not be readable by group
// or others (it holds a bearer token and a signing key). Thread-safe.
[[nodiscard]] ClientResult<TokenGrant> readTokenFile(const std::string& path);

// Reads a private file (a PAT or a token file): refused when missing, not a regular file,
// readable or writable by group or others, or larger than `maxBytes`. Trailing whitespace is
// removed. Thread-safe.
[[nodiscard]] ClientResult<std::string> readPrivateFile(const std::string& path,
                                                        std::size_t maxBytes);

}  // namespace latch::client
