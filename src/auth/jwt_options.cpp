#include "auth/jwt_options.hpp"

namespace latch::auth {

std::string JwtOptions::validate() const {
  if (clockSkewSeconds < 0 || clockSkewSeconds > 600) {
    return "clockSkewSeconds must be between 0 and 600";
  }
  if (maxTokenBytes < 256 || maxTokenBytes > 1024 * 1024) {
    return "maxTokenBytes must be between 256 and 1048576";
  }
  for (const std::string& a : audiences) {
    if (a.empty()) return "audiences must not contain an empty string";
  }
  return {};
}

}  // namespace latch::auth
