#include "auth/authenticator.hpp"

namespace latch::auth {

AuthResult<Principal> Authenticator::authenticate(std::string_view bearer, Use use) const {
  auto principal = identify(bearer, use);
  if (principal && isRevoked(*principal)) {
    return makeError(AuthErrc::Revoked, "Token has been revoked.");
  }
  return principal;
}

AuthResult<Principal> Authenticator::identify(std::string_view bearer, Use use) const {
  if (bearer.empty()) return makeError(AuthErrc::MissingToken, "No bearer token.");
  auto claims =
      verifier_.verify(bearer, use == Use::OnConnection ? verifier_.options().clockSkewSeconds : 0);
  if (!claims) return claims.error();
  // Revocation by jti and by subject epoch needs both claims.
  if (claims->jti.empty()) return makeError(AuthErrc::MissingClaim, "Token has no \"jti\".");
  if (claims->iat == 0) return makeError(AuthErrc::MissingClaim, "Token has no \"iat\".");
  if (claims->exp - claims->iat > options_.maxLifetimeSeconds) {
    return makeError(AuthErrc::LifetimeTooLong, "Token lifetime exceeds the maximum.");
  }
  std::int64_t authTime = claims->iat;
  if (const auto* t = claims->raw.if_contains("auth_time"); t && t->is_int64()) {
    authTime = t->get_int64();
  }
  return Principal{std::move(claims->sub),
                   std::move(claims->roles),
                   std::move(claims->jti),
                   claims->iat,
                   claims->exp,
                   authTime};
}

}  // namespace latch::auth
