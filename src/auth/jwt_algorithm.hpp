#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace latch::auth {

// The JWS algorithms this library implements (RFC 7518, RFC 8037). Each key is bound to
// exactly one of them.
enum class JwtAlgorithm {
  HS256,  // HMAC-SHA-256
  HS384,  // HMAC-SHA-384
  HS512,  // HMAC-SHA-512
  ES256,  // ECDSA P-256 with SHA-256, 64-byte r||s signatures
  EdDSA,  // Ed25519 only
  RS256,  // RSASSA-PKCS1-v1_5 with SHA-256, modulus >= 2048 bits
};

// The registered "alg" name ("HS256", "EdDSA", ...).
std::string_view algorithmName(JwtAlgorithm alg);

// The algorithm whose registered name is exactly `name` (case-sensitive, RFC 7515 4.1.1);
// nullopt for anything else, including "none".
std::optional<JwtAlgorithm> parseAlgorithm(std::string_view name);

// True for the HMAC algorithms (symmetric keys).
bool isHmac(JwtAlgorithm alg);

// HMAC output size in bytes (32, 48, 64), which is also the shortest secret accepted;
// 0 for asymmetric algorithms.
std::size_t hmacOutputSize(JwtAlgorithm alg);

}  // namespace latch::auth
