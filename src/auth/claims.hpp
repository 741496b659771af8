#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "auth/auth_error.hpp"

namespace latch::auth {

// The claims of a verified token (RFC 7519 section 4.1, plus Latch's "roles").
struct Claims {
  std::string iss;                 // empty if absent
  std::string sub;                 // never empty in a verified token
  std::string jti;                 // empty if absent
  std::vector<std::string> aud;    // a single-string "aud" becomes one element
  std::vector<std::string> roles;  // a single-string "roles" becomes one element
  std::int64_t exp = 0;            // seconds since the epoch; always present
  std::int64_t nbf = 0;            // 0: absent
  std::int64_t iat = 0;            // 0: absent
  boost::json::object raw;         // the whole claims set, for claims not listed here
};

// Reads the registered claims of `payload` with their types checked, without judging their
// values (times, issuer, audience are the verifier's job): "exp" missing or not an integer
// is MissingExpiry; "nbf"/"iat" not integers, "iss"/"sub"/"jti" not strings, "aud"/"roles"
// neither a string nor an array of strings are Malformed. Floating-point times (1.5, 1e9)
// are refused: Latch and the libraries it interoperates with write integers. Thread-safe.
[[nodiscard]] AuthResult<Claims> readClaims(boost::json::object payload);

}  // namespace latch::auth
