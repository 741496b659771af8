#include "auth/jwt_verifier.hpp"

#include <algorithm>
#include <limits>

#include "auth/compact_jws.hpp"
#include "auth/strict_json.hpp"

namespace latch::auth {
namespace json = boost::json;

namespace {

// Adds without overflow: the claims are attacker-chosen and may sit near the int64 limits.
std::int64_t saturatingAdd(std::int64_t a, std::int64_t b) {
  std::int64_t sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) {
    return b > 0 ? std::numeric_limits<std::int64_t>::max()
                 : std::numeric_limits<std::int64_t>::min();
  }
  return sum;
}

AuthResult<json::object> parsePayload(const std::vector<std::uint8_t>& payload,
                                      std::size_t maxBytes) {
  const std::string_view text(reinterpret_cast<const char*>(payload.data()), payload.size());
  auto value = parseStrictJson(text, {.maxBytes = maxBytes});
  if (!value) return value.error();
  if (!value->is_object()) return makeError(AuthErrc::Malformed, "Token claims are not an object.");
  return std::move(value->get_object());
}

// RFC 8725 3.11: a JWS of another kind signed with the same key (typ "at+jwt", "JOSE", an
// envelope of some other protocol) is not an access token. "typ" is absent or JWT (RFC 7519
// 5.1: "JWT", or its full media type "application/jwt", in any case).
AuthResult<void> checkType(const json::object& header) {
  const json::value* typ = header.if_contains("typ");
  if (typ == nullptr) return {};
  if (typ->is_string()) {
    const std::string_view name(typ->get_string().data(), typ->get_string().size());
    if (equalsIgnoreAsciiCase(name, "JWT") || equalsIgnoreAsciiCase(name, "application/jwt")) {
      return {};
    }
  }
  return makeError(AuthErrc::WrongType, "Token type is not JWT.");
}

}  // namespace

JwtVerifier::JwtVerifier(JwtOptions options, const KeySet& keys, const WallClock& clock)
    : options_(std::move(options)), keys_(keys), clock_(clock) {}

AuthResult<Claims> JwtVerifier::verify(std::string_view token, std::int64_t expGraceSeconds) const {
  auto jws = verifyCompactJws(token, keys_, options_.maxTokenBytes);
  if (!jws) return jws.error();
  if (auto ok = checkType(jws->header); !ok) return ok.error();
  auto payload = parsePayload(jws->payload, options_.maxTokenBytes);
  if (!payload) return payload.error();
  auto claims = readClaims(std::move(*payload));
  if (!claims) return claims.error();

  if (auto ok = checkTimes(*claims, expGraceSeconds); !ok) return ok.error();
  if (!options_.issuer.empty() && claims->iss != options_.issuer) {
    return makeError(AuthErrc::WrongIssuer, "Token issuer is not accepted.");
  }
  if (auto ok = checkAudience(*claims); !ok) return ok.error();
  if (claims->sub.empty()) return makeError(AuthErrc::MissingClaim, "Token has no subject.");
  return claims;
}

AuthResult<void> JwtVerifier::checkTimes(const Claims& c, std::int64_t expGraceSeconds) const {
  const std::int64_t now = clock_.nowSeconds();
  const std::int64_t skew = std::max<std::int64_t>(options_.clockSkewSeconds, 0);
  // exp gets no skew: an expired token opens no connection and is not renewed, however
  // recently it expired (the skew is for an issuer's clock ahead of ours: nbf and iat).
  if (now >= saturatingAdd(c.exp, std::max<std::int64_t>(expGraceSeconds, 0))) {
    return makeError(AuthErrc::Expired, "Token has expired.");
  }
  const std::int64_t latest = saturatingAdd(now, skew);
  if (c.raw.contains("nbf") && c.nbf > latest) {
    return makeError(AuthErrc::NotYetValid, "Token is not valid yet.");
  }
  if (c.raw.contains("iat") && c.iat > latest) {
    return makeError(AuthErrc::IssuedInFuture, "Token was issued in the future.");
  }
  return {};
}

AuthResult<void> JwtVerifier::checkAudience(const Claims& c) const {
  if (options_.audiences.empty()) return {};
  for (const std::string& aud : c.aud) {
    if (std::find(options_.audiences.begin(), options_.audiences.end(), aud) !=
        options_.audiences.end()) {
      return {};
    }
  }
  return makeError(AuthErrc::WrongAudience, "Token audience is not accepted.");
}

}  // namespace latch::auth
