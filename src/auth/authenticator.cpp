#include "auth/authenticator.hpp"

namespace latch::auth {

AuthResult<Principal> Authenticator::authenticate(std::string_view bearer) const {
  if (bearer.empty()) return makeError(AuthErrc::MissingToken, "No bearer token.");
  auto claims = verifier_.verify(bearer);
  if (!claims) return claims.error();
  return Principal{std::move(claims->sub), std::move(claims->roles), std::move(claims->jti),
                   claims->iat, claims->exp};
}

}  // namespace latch::auth
