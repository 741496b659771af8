#include "common/base64url.hpp"

#include <string>

#include <gtest/gtest.h>

namespace latch {
namespace {

std::vector<std::uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }

TEST(Base64url, EncodesRfc4648Vectors) {
  EXPECT_EQ(base64urlEncode(bytes("")), "");
  EXPECT_EQ(base64urlEncode(bytes("f")), "Zg");
  EXPECT_EQ(base64urlEncode(bytes("fo")), "Zm8");
  EXPECT_EQ(base64urlEncode(bytes("foo")), "Zm9v");
  EXPECT_EQ(base64urlEncode(bytes("foob")), "Zm9vYg");
  EXPECT_EQ(base64urlEncode(bytes("fooba")), "Zm9vYmE");
  EXPECT_EQ(base64urlEncode(bytes("foobar")), "Zm9vYmFy");
}

TEST(Base64url, UsesUrlAlphabet) {
  const std::vector<std::uint8_t> v = {0xfb, 0xff, 0xbf};
  EXPECT_EQ(base64urlEncode(v), "-_-_");
  EXPECT_EQ(*base64urlDecode("-_-_"), v);
}

TEST(Base64url, RoundTripsEveryLength) {
  std::vector<std::uint8_t> data;
  for (int n = 0; n < 64; ++n) {
    EXPECT_EQ(*base64urlDecode(base64urlEncode(data)), data) << n;
    data.push_back(static_cast<std::uint8_t>(n * 37 + 11));
  }
}

TEST(Base64url, RejectsPaddingAndForeignCharacters) {
  EXPECT_FALSE(base64urlDecode("Zg=="));
  EXPECT_FALSE(base64urlDecode("Zm9v+A"));
  EXPECT_FALSE(base64urlDecode("Zm9v/A"));
  EXPECT_FALSE(base64urlDecode("Zm 9v"));
  EXPECT_FALSE(base64urlDecode("Z"));  // one character cannot encode a byte
}

TEST(Base64url, RejectsNonCanonicalTrailingBits) {
  EXPECT_TRUE(base64urlDecode("Zg"));
  EXPECT_FALSE(base64urlDecode("Zh"));  // same byte, low bits set
  EXPECT_TRUE(base64urlDecode("Zm8"));
  EXPECT_FALSE(base64urlDecode("Zm9"));
}

}  // namespace
}  // namespace latch
