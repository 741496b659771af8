#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace latch::auth {

// Who is on a connection, as its current token says.
struct Principal {
  std::string subject;
  std::vector<std::string> roles;
  std::string tokenId;         // jti; the session key derives from it
  std::int64_t issuedAt = 0;   // seconds since the epoch; 0 when the token had no iat
  std::int64_t expiresAt = 0;  // seconds since the epoch
  std::int64_t authTime = 0;   // when the session began ("auth_time", else iat)

  bool hasRole(std::string_view role) const {
    return std::find(roles.begin(), roles.end(), role) != roles.end();
  }
};

}  // namespace latch::auth
