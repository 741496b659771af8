#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "auth/auth_error.hpp"
#include "auth/key_set.hpp"
#include "common/wall_clock.hpp"

namespace latch::auth {

// A freshly minted Latch access token and what the client needs with it.
struct IssuedToken {
  std::string accessToken;
  std::string jti;
  std::string sessionKey;      // signs the client's envelopes (SPEC section 5)
  std::int64_t expiresIn = 0;  // seconds
  std::int64_t expiresAt = 0;  // seconds since the epoch
};

// The token response of SPEC section 2:
// {"access_token","token_type":"Bearer","expires_in","session_key"}.
std::string tokenResponseJson(const IssuedToken& token);

// Mints Latch access tokens with the key set's current key: claims iss, aud, sub, roles,
// iat, nbf, exp, auth_time and a fresh 128-bit jti. Thread-safe (const).
class TokenIssuer {
 public:
  // All references must outlive the issuer.
  TokenIssuer(const KeySet& keys, std::span<const std::uint8_t> envelopeSecret, std::string issuer,
              std::string audience, const WallClock& clock);

  // InvalidKey when there is no current signing key; MissingClaim for an empty subject or
  // a lifetime that is not positive. `authTime`: when the session began (seconds; the
  // "auth_time" claim, carried over when a token is renewed); 0 means now.
  [[nodiscard]] AuthResult<IssuedToken> issue(std::string_view subject,
                                              const std::vector<std::string>& roles,
                                              std::int64_t lifetimeSeconds,
                                              std::int64_t authTime = 0) const;

 private:
  const KeySet& keys_;
  std::span<const std::uint8_t> envelopeSecret_;
  std::string issuer_;
  std::string audience_;
  const WallClock& clock_;
};

}  // namespace latch::auth
