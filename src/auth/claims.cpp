#include "auth/claims.hpp"

#include <optional>

namespace latch::auth {
namespace json = boost::json;

namespace {

AuthError wrongType() {
  return makeError(AuthErrc::Malformed, "A registered claim has the wrong type.");
}

// An integer NumericDate. uint64 values above INT64_MAX and doubles are refused.
std::optional<std::int64_t> integerOf(const json::value& v) {
  if (v.is_int64()) return v.get_int64();
  return std::nullopt;
}

AuthResult<std::int64_t> optionalTime(const json::object& o, std::string_view name) {
  const json::value* v = o.if_contains(name);
  if (v == nullptr) return std::int64_t{0};
  const auto t = integerOf(*v);
  if (!t) return wrongType();
  return *t;
}

AuthResult<std::string> optionalString(const json::object& o, std::string_view name) {
  const json::value* v = o.if_contains(name);
  if (v == nullptr) return std::string();
  if (!v->is_string()) return wrongType();
  return std::string(v->get_string());
}

// A string or an array of strings (RFC 7519 4.1.3 for "aud"; Latch uses it for "roles").
AuthResult<std::vector<std::string>> stringOrArray(const json::object& o, std::string_view name) {
  std::vector<std::string> out;
  const json::value* v = o.if_contains(name);
  if (v == nullptr) return out;
  if (v->is_string()) {
    out.emplace_back(v->get_string());
    return out;
  }
  if (!v->is_array()) return wrongType();
  for (const json::value& item : v->get_array()) {
    if (!item.is_string()) return wrongType();
    out.emplace_back(item.get_string());
  }
  return out;
}

}  // namespace

AuthResult<Claims> readClaims(json::object payload) {
  Claims c;
  const json::value* exp = payload.if_contains("exp");
  const auto expValue = exp == nullptr ? std::nullopt : integerOf(*exp);
  if (!expValue) {
    return makeError(AuthErrc::MissingExpiry, "Token has no integer \"exp\" claim.");
  }
  c.exp = *expValue;
  auto nbf = optionalTime(payload, "nbf");
  if (!nbf) return nbf.error();
  c.nbf = *nbf;
  auto iat = optionalTime(payload, "iat");
  if (!iat) return iat.error();
  c.iat = *iat;
  auto iss = optionalString(payload, "iss");
  if (!iss) return iss.error();
  c.iss = std::move(*iss);
  auto sub = optionalString(payload, "sub");
  if (!sub) return sub.error();
  c.sub = std::move(*sub);
  auto jti = optionalString(payload, "jti");
  if (!jti) return jti.error();
  c.jti = std::move(*jti);
  auto aud = stringOrArray(payload, "aud");
  if (!aud) return aud.error();
  c.aud = std::move(*aud);
  auto roles = stringOrArray(payload, "roles");
  if (!roles) return roles.error();
  c.roles = std::move(*roles);
  c.raw = std::move(payload);
  return c;
}

}  // namespace latch::auth
