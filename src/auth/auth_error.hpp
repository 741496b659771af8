#pragma once

#include <string_view>

#include "common/result.hpp"

namespace latch::auth {

// Why a token, a key or a JSON text was refused. Messages name the problem only: they never
// contain the token, any part of it, or key material.
enum class AuthErrc {
  Malformed,             // not a compact JWS, wrong JSON types, bad key encoding
  TooLarge,              // over the configured size cap (checked before anything else)
  BadBase64,             // not strict base64url (padding, foreign characters, stray bits)
  DuplicateKey,          // a JSON object repeats a member name, or a key set repeats a kid
  UnsupportedAlgorithm,  // "none" or an algorithm (or key type) this library does not implement
  AlgorithmMismatch,     // the header's "alg" is not the algorithm bound to the key
  UnknownKey,            // no configured key has the token's "kid"
  UnknownCritical,       // a "crit" header: no extensions are understood
  ForbiddenHeader,       // "jku", "x5u", "jwk", "x5c", "b64": never honoured
  BadSignature,          // the signature does not verify
  MissingExpiry,         // no "exp", or "exp" is not an integer
  Expired,               // now >= exp
  NotYetValid,           // nbf > now + skew
  IssuedInFuture,        // iat > now + skew
  WrongIssuer,           // "iss" is not the configured issuer
  WrongAudience,         // "aud" names none of the configured audiences
  MissingClaim,          // "sub" missing or empty
  InvalidKey,            // key material refused: too short, wrong type or curve, weak RSA
  Revoked,               // the token's jti or its subject was revoked
  MissingToken,          // the request carried no bearer token at all
  LifetimeTooLong,       // exp - iat exceeds the longest lifetime Latch accepts
  WrongType,             // a "typ" header other than JWT: another kind of JWS, not a token
};

using AuthError = Error<AuthErrc>;

template <class T>
using AuthResult = Result<T, AuthErrc>;

// A stable snake_case name for `code` ("bad_signature", "expired", ...), for logs and for
// clients. Never changes once published. Thread-safe.
std::string_view authErrorName(AuthErrc code);

}  // namespace latch::auth
