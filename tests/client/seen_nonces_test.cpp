#include "client/seen_nonces.hpp"

#include <gtest/gtest.h>

namespace latch::client {
namespace {

std::array<std::uint8_t, 16> nonce(std::uint8_t n) {
  std::array<std::uint8_t, 16> out{};
  out.fill(n);
  return out;
}

TEST(SeenNoncesTest, ANonceIsSeenUntilItsExpiry) {
  SeenNonces seen;
  EXPECT_EQ(seen.remember(nonce(1), 2000, 1000), SeenNonces::Outcome::Fresh);
  EXPECT_EQ(seen.remember(nonce(1), 2000, 1500), SeenNonces::Outcome::Seen);
  EXPECT_EQ(seen.remember(nonce(2), 2000, 1500), SeenNonces::Outcome::Fresh);
  // At exp the envelope is refused by its time anyway, so the entry may go.
  EXPECT_EQ(seen.remember(nonce(3), 5000, 2000), SeenNonces::Outcome::Fresh);
  EXPECT_EQ(seen.size(), 1u);
}

TEST(SeenNoncesTest, WhenFullNewNoncesAreRefusedAndOldOnesAreNeverForgottenEarly) {
  SeenNonces seen(2);
  EXPECT_EQ(seen.remember(nonce(1), 9000, 1000), SeenNonces::Outcome::Fresh);
  EXPECT_EQ(seen.remember(nonce(2), 9000, 1000), SeenNonces::Outcome::Fresh);
  EXPECT_EQ(seen.remember(nonce(3), 9000, 1000), SeenNonces::Outcome::Full);
  EXPECT_EQ(seen.remember(nonce(1), 9000, 1000), SeenNonces::Outcome::Seen);
  EXPECT_EQ(seen.remember(nonce(3), 9500, 9000), SeenNonces::Outcome::Fresh);  // room again
}

}  // namespace
}  // namespace latch::client
