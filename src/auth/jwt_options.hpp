#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace latch::auth {

// What JwtVerifier accepts beyond a valid signature. Validate once at start (validate()).
struct JwtOptions {
  // Required value of "iss"; empty: "iss" is not checked.
  std::string issuer;
  // "aud" must name at least one of these; empty: "aud" is not checked.
  std::vector<std::string> audiences;
  // Tolerated clock difference with the issuer, for nbf and iat (RFC 8725 suggests minutes
  // at most; tokens live 15 minutes). Never for exp: a token is dead at its exp.
  std::int64_t clockSkewSeconds = 30;
  // Largest token accepted, checked before any parsing: a header line or query parameter
  // never needs more, and a cap keeps hostile input cheap.
  std::size_t maxTokenBytes = 8192;

  // An empty string when all values are usable, else which one is not and why.
  std::string validate() const;
};

}  // namespace latch::auth
