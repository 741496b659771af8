#pragma once

#include <string>

#include <boost/json/object.hpp>

#include "auth/auth_error.hpp"
#include "auth/jwt_key.hpp"

namespace latch::auth {

// A compact JWS of `claims`, serialized as given, with the protected header
// {"alg": key's algorithm, "typ": "JWT", "kid": key's kid} ("kid" left out when empty).
// The claims are not checked: the caller sets exp, sub, jti and the rest. InvalidKey if
// the key cannot sign. Thread-safe.
[[nodiscard]] AuthResult<std::string> signJwt(const JwtKey& key, const boost::json::object& claims);

}  // namespace latch::auth
