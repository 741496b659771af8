#include "auth/token_issuer.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "auth/jwt_signer.hpp"
#include "auth/session_key.hpp"
#include "common/random.hpp"

namespace latch::auth {

std::string tokenResponseJson(const IssuedToken& token) {
  boost::json::object o;
  o["access_token"] = token.accessToken;
  o["token_type"] = "Bearer";
  o["expires_in"] = token.expiresIn;
  o["session_key"] = token.sessionKey;
  return boost::json::serialize(o);
}

TokenIssuer::TokenIssuer(const KeySet& keys, std::span<const std::uint8_t> envelopeSecret,
                         std::string issuer, std::string audience, const WallClock& clock)
    : keys_(keys),
      envelopeSecret_(envelopeSecret),
      issuer_(std::move(issuer)),
      audience_(std::move(audience)),
      clock_(clock) {}

AuthResult<IssuedToken> TokenIssuer::issue(std::string_view subject,
                                           const std::vector<std::string>& roles,
                                           std::int64_t lifetimeSeconds,
                                           std::int64_t authTime) const {
  const JwtKey* key = keys_.current();
  if (key == nullptr) return makeError(AuthErrc::InvalidKey, "No signing key is configured.");
  if (subject.empty()) return makeError(AuthErrc::MissingClaim, "The subject is empty.");
  if (lifetimeSeconds <= 0) {
    return makeError(AuthErrc::MissingClaim, "The lifetime must be positive.");
  }
  const std::int64_t now = clock_.nowSeconds();
  IssuedToken token;
  token.jti = randomId128();
  token.expiresIn = lifetimeSeconds;
  token.expiresAt = now + lifetimeSeconds;
  boost::json::object claims;
  claims["iss"] = issuer_;
  claims["aud"] = audience_;
  claims["sub"] = subject;
  boost::json::array roleArray;
  for (const auto& r : roles) roleArray.emplace_back(r);
  claims["roles"] = std::move(roleArray);
  claims["iat"] = now;
  claims["nbf"] = now;
  claims["exp"] = token.expiresAt;
  claims["jti"] = token.jti;
  claims["auth_time"] = authTime > 0 ? authTime : now;
  auto signed_ = signJwt(*key, claims);
  if (!signed_) return signed_.error();
  token.accessToken = std::move(*signed_);
  token.sessionKey = sessionKey(envelopeSecret_, token.jti);
  return token;
}

}  // namespace latch::auth
