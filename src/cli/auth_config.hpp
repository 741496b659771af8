#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "auth/authenticator.hpp"
#include "auth/jwt_options.hpp"
#include "auth/server_secrets.hpp"

namespace latch::cli {

// A token key from the configuration ([[auth.keys]]): an asymmetric key in a PEM file.
struct KeyFileConfig {
  std::string kid;
  std::string alg;   // "EdDSA", "ES256" or "RS256"
  std::string path;  // PEM: a private key (can sign) or a public key (verifies only)
};

// How tokens are issued and checked ([auth] in the TOML file).
struct AuthConfig {
  std::string issuer = "latch";
  std::vector<std::string> audiences = {"latch"};
  std::int64_t clockSkewSeconds = 30;
  std::int64_t maxTokenLifetimeSeconds = 24 * 3600;
  // Keys besides the generated HS256 key, several at once during a rotation.
  std::vector<KeyFileConfig> keys;
  // The kid new tokens are signed with; empty: the generated HS256 key.
  std::string signingKid;

  auth::JwtOptions jwtOptions() const;
  auth::AuthenticatorOptions authenticatorOptions() const;
};

// The data directory's secrets (created on first use) plus the configured keys, with the
// configured signing key made current. One line saying what is wrong otherwise (unreadable
// PEM, key unfit for its algorithm, duplicate or unknown kid).
[[nodiscard]] auth::AuthResult<auth::ServerSecrets> loadTokenKeys(const AuthConfig& config,
                                                                  const std::string& dataDir);

}  // namespace latch::cli
