#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "auth/auth_error.hpp"

namespace latch::auth {

// A secret kept in a file of the data directory as one line of base64url. Loaded when the
// file exists (refused, InvalidKey, when group or others may read it or it is malformed),
// else `bytes` random bytes from the CSPRNG are written to a new file created with mode
// 0600 (never over an existing one). The error message names the file, never the secret.
[[nodiscard]] AuthResult<std::vector<std::uint8_t>> loadOrCreateSecret(const std::string& path,
                                                                       std::size_t bytes);

}  // namespace latch::auth
