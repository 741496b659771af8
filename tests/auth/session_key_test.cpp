#include "auth/session_key.hpp"

#include <array>
#include <numeric>

#include <gtest/gtest.h>

namespace latch::auth {
namespace {

// Known answers computed independently with Python's hmac module:
//   base64.urlsafe_b64encode(hmac.new(key, b"latch-session-v1|" + jti, sha256).digest())
TEST(SessionKey, MatchesAnIndependentHmacImplementation) {
  std::array<std::uint8_t, 32> secret{};
  std::iota(secret.begin(), secret.end(), 0);
  EXPECT_EQ(sessionKey(secret, "jti-123"), "DxlUckMibiei06sNWeNLjU-DR_QFDFgLhGLU2WPwuec");
  std::array<std::uint8_t, 32> other{};
  other.fill(0xaa);
  EXPECT_EQ(sessionKey(other, ""), "q1xd_E_8YWABdS4gQ7TR3AHXM9sQP4vFXoL01mTqoi8");
}

TEST(SessionKey, ChangesWithTheTokenAndTheSecret) {
  std::array<std::uint8_t, 32> secret{};
  secret.fill(1);
  const auto a = sessionKey(secret, "a");
  EXPECT_NE(a, sessionKey(secret, "b"));
  secret[0] = 2;
  EXPECT_NE(a, sessionKey(secret, "a"));
  EXPECT_EQ(a.size(), 43u);  // 256 bits, base64url without padding
}

}  // namespace
}  // namespace latch::auth
