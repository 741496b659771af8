#pragma once

#include <string_view>

#include "auth/auth_error.hpp"
#include "auth/claims.hpp"
#include "auth/jwt_options.hpp"
#include "auth/key_set.hpp"
#include "common/wall_clock.hpp"

namespace latch::auth {

// Verifies Latch access tokens (and other JWTs signed by configured keys) under RFC 8725.
// Keeps references to `keys` and `clock`, which must outlive it and, for `keys`, must not
// change while it is in use. Thread-safe: verify() is const and shares nothing mutable.
class JwtVerifier {
 public:
  JwtVerifier(JwtOptions options, const KeySet& keys, const WallClock& clock);

  // The token's claims, or why it was refused. First the JWS itself (verifyCompactJws:
  // TooLarge, Malformed, BadBase64, DuplicateKey, UnsupportedAlgorithm, UnknownCritical,
  // ForbiddenHeader, UnknownKey, AlgorithmMismatch, BadSignature); only then the claims,
  // a JSON object (Malformed, DuplicateKey; readClaims for types): Expired if
  // now >= exp (no skew), NotYetValid if nbf > now + skew, IssuedInFuture if iat > now + skew,
  // WrongIssuer, WrongAudience, then MissingClaim if "sub" is missing or empty. Never
  // throws; safe on untrusted input of any size.
  // `expGraceSeconds`: how long past its exp the token still passes (0: none; only for a
  // request on a connection it already opened, see Authenticator::Use).
  [[nodiscard]] AuthResult<Claims> verify(std::string_view token,
                                          std::int64_t expGraceSeconds = 0) const;

  const JwtOptions& options() const { return options_; }

 private:
  AuthResult<void> checkTimes(const Claims& claims, std::int64_t expGraceSeconds) const;
  AuthResult<void> checkAudience(const Claims& claims) const;

  JwtOptions options_;
  const KeySet& keys_;
  const WallClock& clock_;
};

}  // namespace latch::auth
