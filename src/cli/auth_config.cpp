#include "cli/auth_config.hpp"

#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "auth/jwt_algorithm.hpp"
#include "auth/jwt_key.hpp"
#include "auth/key_set.hpp"

#include <boost/json/parse.hpp>

namespace latch::cli {

auth::JwtOptions AuthConfig::jwtOptions() const {
  auth::JwtOptions options;
  options.issuer = issuer;
  options.audiences = audiences;
  options.clockSkewSeconds = clockSkewSeconds;
  return options;
}

auth::AuthenticatorOptions AuthConfig::authenticatorOptions() const {
  auth::AuthenticatorOptions options;
  options.maxLifetimeSeconds = maxTokenLifetimeSeconds;
  return options;
}

namespace {

auth::AuthResult<std::string> readFile(const std::string& path, const std::string& where) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return makeError(auth::AuthErrc::InvalidKey, fmt::format("{}: cannot read {}", where, path));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

auth::AuthResult<std::vector<auth::OidcProvider>> loadOidcProviders(const AuthConfig& config,
                                                                    const WallClock& clock) {
  std::vector<auth::OidcProvider> providers;
  for (const auto& oidc : config.oidc) {
    const auto where = fmt::format("auth.oidc '{}'", oidc.name);
    auto text = readFile(oidc.jwksFile, where);
    if (!text) return text.error();
    boost::system::error_code ec;
    auto jwks = boost::json::parse(*text, ec);
    if (ec || !jwks.is_object()) {
      return makeError(auth::AuthErrc::Malformed,
                       fmt::format("{}: {} is not a JWK Set", where, oidc.jwksFile));
    }
    auto keys = auth::keySetFromJwks(jwks.get_object());
    if (!keys) return makeError(keys.error().code, where + ": " + keys.error().message);
    if (keys->empty()) {
      return makeError(auth::AuthErrc::InvalidKey, where + ": the JWK Set has no usable key");
    }
    auth::OidcProvider provider;
    provider.name = oidc.name;
    provider.keys = std::make_unique<auth::KeySet>(std::move(*keys));
    auth::JwtOptions options;
    options.issuer = oidc.issuer;
    options.audiences = oidc.audiences;
    options.clockSkewSeconds = config.clockSkewSeconds;
    provider.verifier = std::make_unique<auth::JwtVerifier>(options, *provider.keys, clock);
    providers.push_back(std::move(provider));
  }
  return providers;
}

auth::AuthResult<auth::ServerSecrets> loadTokenKeys(const AuthConfig& config,
                                                    const std::string& dataDir) {
  auto secrets = auth::loadServerSecrets(dataDir);
  if (!secrets) return secrets.error();
  for (const auto& keyFile : config.keys) {
    const auto where = fmt::format("auth key '{}'", keyFile.kid);
    const auto alg = auth::parseAlgorithm(keyFile.alg);
    if (!alg || auth::isHmac(*alg)) {
      return makeError(auth::AuthErrc::UnsupportedAlgorithm,
                       fmt::format("{}: alg must be EdDSA, ES256 or RS256", where));
    }
    auto pem = readFile(keyFile.path, where);
    if (!pem) return pem.error();
    auto key = auth::JwtKey::fromPem(keyFile.kid, *alg, *pem);
    if (!key) {
      return makeError(key.error().code, fmt::format("{}: {}", where, key.error().message));
    }
    if (auto r = secrets->keys.add(std::move(*key)); !r) {
      return makeError(r.error().code, fmt::format("{}: {}", where, r.error().message));
    }
  }
  if (!config.signingKid.empty()) {
    if (auto r = secrets->keys.setCurrent(config.signingKid); !r) {
      return makeError(r.error().code, fmt::format("auth.signing_key '{}': {}", config.signingKid,
                                                   r.error().message));
    }
  }
  return secrets;
}

}  // namespace latch::cli
