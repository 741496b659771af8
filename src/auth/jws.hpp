#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "auth/auth_error.hpp"
#include "auth/jwt_key.hpp"

namespace latch::auth {

// The JWS signature (RFC 7515 section 5, RFC 7518 section 3) of `signingInput` under `key`,
// with the key's algorithm: the HMAC tag, the 64-byte r||s for ES256, the 64-byte Ed25519
// signature, or the RSA signature. InvalidKey if the key cannot sign (public-only).
// Thread-safe.
[[nodiscard]] AuthResult<std::vector<std::uint8_t>> jwsSign(const JwtKey& key,
                                                            std::string_view signingInput);

// Succeeds iff `signature` is a valid JWS signature of `signingInput` under `key` with the
// key's algorithm; BadSignature otherwise. HMAC tags are compared in constant time and must
// be the full length; ES256 signatures must be exactly 64 bytes with 0 < r, s < n (high-S
// values are accepted, as RFC 7518 and other JOSE libraries do); Ed25519 signatures must be
// 64 bytes. Never throws. Thread-safe.
[[nodiscard]] AuthResult<void> jwsVerify(const JwtKey& key, std::string_view signingInput,
                                         std::span<const std::uint8_t> signature);

}  // namespace latch::auth
