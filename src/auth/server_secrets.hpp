#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "auth/auth_error.hpp"
#include "auth/key_set.hpp"

namespace latch::auth {

// The secrets a server keeps in its data directory, created on first start:
//   jwt-hs256.key  the HS256 token key (256 bits), kid kHs256Kid, the current signing key
//   envelope.key   the envelope secret (256 bits) that session keys derive from
// Both files are base64url text with mode 0600; a looser mode refuses to start.
struct ServerSecrets {
  KeySet keys;
  std::vector<std::uint8_t> envelopeSecret;
};

inline constexpr const char* kHs256Kid = "latch-hs256";

// Loads the secrets of `dataDir`, creating the missing ones. Not thread-safe with another
// process creating the same files (O_EXCL makes the loser read the winner's file).
[[nodiscard]] AuthResult<ServerSecrets> loadServerSecrets(const std::string& dataDir);

}  // namespace latch::auth
