#pragma once

#include <cstdint>
#include <string_view>

#include "auth/auth_error.hpp"
#include "auth/jwt_verifier.hpp"
#include "auth/principal.hpp"
#include "auth/revocation_list.hpp"

namespace latch::auth {

// What a Latch access token needs beyond a valid JWT.
struct AuthenticatorOptions {
  // Longest lifetime (exp - iat) accepted. Bounds how long a revoked jti must stay on the
  // deny-list: a token cannot outlive iat + this. One day: Latch issues 15-minute tokens.
  std::int64_t maxLifetimeSeconds = 24 * 3600;
};

// Turns a request's bearer token into a Principal: MissingToken when there is none, else
// whatever JwtVerifier says; then the rules for Latch access tokens: "jti" and "iat" present
// (MissingClaim), exp - iat within the maximum (LifetimeTooLong), not revoked (Revoked).
// Thread-safe (const); everything passed must outlive it. `revocations` may be null (no
// revocations are enforced: tools that only mint tokens).
class Authenticator {
 public:
  Authenticator(const JwtVerifier& verifier, AuthenticatorOptions options = {},
                const RevocationList* revocations = nullptr)
      : verifier_(verifier), options_(options), revocations_(revocations) {}

  // What the token is for. A token past its exp opens nothing and renews nothing (Open);
  // on a connection it already opened, whose own deadline (refreshed in-band by
  // RefreshToken) is what ends it, a request may carry it for the clock skew after its exp
  // (OnConnection): a long-polling client keeps sending the token it connected with.
  enum class Use { Open, OnConnection };

  [[nodiscard]] AuthResult<Principal> authenticate(std::string_view bearer,
                                                   Use use = Use::Open) const;

  // authenticate() without the revocation check: who the token names, revoked or not. For a
  // request on a connection whose own token may have been revoked (the connection then
  // closes with "Token revoked" rather than the request being refused with 401).
  [[nodiscard]] AuthResult<Principal> identify(std::string_view bearer, Use use = Use::Open) const;

  // Whether `principal` was revoked since it was authenticated.
  bool isRevoked(const Principal& principal) const {
    return revocations_ && revocations_->isRevoked(principal);
  }

  // The revocation list's generation (0 without one); see RevocationList::generation().
  std::uint64_t revocationGeneration() const {
    return revocations_ ? revocations_->generation() : 0;
  }

  const AuthenticatorOptions& options() const { return options_; }

 private:
  const JwtVerifier& verifier_;
  AuthenticatorOptions options_;
  const RevocationList* revocations_;
};

}  // namespace latch::auth
