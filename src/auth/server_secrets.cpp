#include "auth/server_secrets.hpp"

#include "auth/secret_file.hpp"

namespace latch::auth {

AuthResult<ServerSecrets> loadServerSecrets(const std::string& dataDir) {
  auto jwtSecret = loadOrCreateSecret(dataDir + "/jwt-hs256.key", 32);
  if (!jwtSecret) return jwtSecret.error();
  auto envelopeSecret = loadOrCreateSecret(dataDir + "/envelope.key", 32);
  if (!envelopeSecret) return envelopeSecret.error();
  auto key = JwtKey::fromHmacSecret(kHs256Kid, JwtAlgorithm::HS256, *jwtSecret);
  std::fill(jwtSecret->begin(), jwtSecret->end(), 0);
  if (!key) return key.error();
  ServerSecrets secrets;
  if (auto added = secrets.keys.add(std::move(*key)); !added) return added.error();
  if (auto current = secrets.keys.setCurrent(kHs256Kid); !current) return current.error();
  secrets.envelopeSecret = std::move(*envelopeSecret);
  return secrets;
}

}  // namespace latch::auth
