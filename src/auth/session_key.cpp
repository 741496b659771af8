#include "auth/session_key.hpp"

#include <string>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "common/base64url.hpp"

namespace latch::auth {

SessionKeyBytes sessionKeyBytes(std::span<const std::uint8_t> envelopeSecret,
                                std::string_view jti) {
  const std::string input = "latch-session-v1|" + std::string(jti);
  SessionKeyBytes mac{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), envelopeSecret.data(), static_cast<int>(envelopeSecret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac.data(), &length);
  return mac;
}

std::string sessionKey(std::span<const std::uint8_t> envelopeSecret, std::string_view jti) {
  return base64urlEncode(sessionKeyBytes(envelopeSecret, jti));
}

}  // namespace latch::auth
