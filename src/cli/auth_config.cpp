#include "cli/auth_config.hpp"

#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "auth/jwt_algorithm.hpp"
#include "auth/jwt_key.hpp"

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
    std::ifstream in(keyFile.path, std::ios::binary);
    if (!in) {
      return makeError(auth::AuthErrc::InvalidKey,
                       fmt::format("{}: cannot read {}", where, keyFile.path));
    }
    std::ostringstream pem;
    pem << in.rdbuf();
    auto key = auth::JwtKey::fromPem(keyFile.kid, *alg, pem.str());
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
