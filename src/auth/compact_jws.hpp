#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "auth/auth_error.hpp"
#include "auth/key_set.hpp"

namespace latch::auth {

// A compact JWS whose signature verified: its protected header, the key that verified it,
// and the payload bytes (not yet interpreted).
struct VerifiedJws {
  boost::json::object header;
  std::vector<std::uint8_t> payload;
  const JwtKey* key = nullptr;  // points into the KeySet passed to verifyCompactJws
};

// ASCII case folding only: the locale must not decide what counts as "none" or "JWT".
bool equalsIgnoreAsciiCase(std::string_view a, std::string_view b);

// Verifies a JWS in compact serialization (RFC 7515 7.1) under the RFC 8725 rules, in this
// order: more than maxBytes is TooLarge; not exactly three dot-separated parts is Malformed;
// a part that is not strict base64url is BadBase64; a header that is not a JSON object
// without duplicate members (DuplicateKey) with a string "alg" is Malformed; "none" in any
// case and unknown algorithms are UnsupportedAlgorithm; a "crit" header is UnknownCritical;
// "jku", "x5u", "jwk", "x5c" or "b64" is ForbiddenHeader; the key is the one named by "kid"
// (a string), or the only key of `keys` when there is no "kid", else UnknownKey; an "alg"
// other than that key's is AlgorithmMismatch; then the signature (BadSignature). Keys are
// never taken from the token. Never throws. Thread-safe if `keys` is not modified meanwhile.
[[nodiscard]] AuthResult<VerifiedJws> verifyCompactJws(std::string_view token, const KeySet& keys,
                                                       std::size_t maxBytes);

}  // namespace latch::auth
