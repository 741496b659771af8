#include "auth/session_key.hpp"

#include <string>

#include "common/base64url.hpp"
#include "common/digest.hpp"

namespace latch::auth {

SessionKeyBytes sessionKeyBytes(std::span<const std::uint8_t> envelopeSecret,
                                std::string_view jti) {
  return hmacSha256(envelopeSecret, {"latch-session-v1|", jti});
}

std::string sessionKey(std::span<const std::uint8_t> envelopeSecret, std::string_view jti) {
  return base64urlEncode(sessionKeyBytes(envelopeSecret, jti));
}

}  // namespace latch::auth
