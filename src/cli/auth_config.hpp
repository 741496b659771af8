#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "auth/authenticator.hpp"
#include "auth/jwt_options.hpp"
#include "auth/server_secrets.hpp"
#include "auth/token_endpoint.hpp"
#include "common/wall_clock.hpp"

namespace latch::cli {

// A token key from the configuration ([[auth.keys]]): an asymmetric key in a PEM file.
struct KeyFileConfig {
  std::string kid;
  std::string alg;   // "EdDSA", "ES256" or "RS256"
  std::string path;  // PEM: a private key (can sign) or a public key (verifies only)
};

// An OpenID Connect provider whose ID tokens /auth/token exchanges ([[auth.oidc]]).
struct OidcConfig {
  std::string name;                    // subjects become name + ":" + sub
  std::string issuer;                  // the ID token's "iss"
  std::vector<std::string> audiences;  // the client ids Latch is registered as
  std::string jwksFile;                // the provider's JWK Set (saved from its jwks_uri)
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
  // Lifetime of the tokens /auth/token issues, and how long a session may be renewed.
  std::int64_t tokenLifetimeSeconds = 900;
  std::int64_t maxSessionAgeSeconds = 12 * 3600;
  std::vector<OidcConfig> oidc;

  auth::JwtOptions jwtOptions() const;
  auth::AuthenticatorOptions authenticatorOptions() const;
};

// The data directory's secrets (created on first use) plus the configured keys, with the
// configured signing key made current. One line saying what is wrong otherwise (unreadable
// PEM, key unfit for its algorithm, duplicate or unknown kid).
[[nodiscard]] auth::AuthResult<auth::ServerSecrets> loadTokenKeys(const AuthConfig& config,
                                                                  const std::string& dataDir);

// The configured OpenID Connect providers with their keys loaded; one line naming the
// provider on failure (unreadable or invalid JWKS file, empty issuer or audience).
[[nodiscard]] auth::AuthResult<std::vector<auth::OidcProvider>> loadOidcProviders(
    const AuthConfig& config, const WallClock& clock);

}  // namespace latch::cli
