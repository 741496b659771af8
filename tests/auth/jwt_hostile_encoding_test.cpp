// Hostile tokens, part 3: token shape, base64url strictness, size and signatures. Each test
// checks the exact AuthErrc that JwtVerifier answers with.
#include <algorithm>
#include <chrono>
#include <optional>

#include <gtest/gtest.h>
#include <boost/json/serialize.hpp>

#include "auth/jwt_fixture.hpp"

namespace latch::auth {
namespace {

namespace json = boost::json;
using testing::b64;
using testing::hexDecode;
using testing::JwtFixture;
using testing::makeToken;
using testing::TokenParts;

using HostileToken = JwtFixture;

std::string withSignature(std::string_view token, std::span<const std::uint8_t> sig) {
  auto parts = TokenParts::of(token);
  parts.signature = base64urlEncode(sig);
  return parts.join();
}

// The same bytes with a different last character: the unused low bits set. Lenient decoders
// read both texts as the same bytes.
std::string nonCanonical(std::string part) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  EXPECT_NE(part.size() % 4, 0u);
  const auto v = kAlphabet.find(part.back());
  part.back() = kAlphabet[v | 1];
  return part;
}

// --- shape and encoding -------------------------------------------------------------------

TEST_F(HostileToken, EmptyTokenIsMalformed) { EXPECT_EQ(refusal(""), AuthErrc::Malformed); }

TEST_F(HostileToken, TwoPartTokenIsMalformed) {
  auto p = TokenParts::of(token("hs", JwtFixture::goodClaims()));
  EXPECT_EQ(refusal(p.header + "." + p.payload), AuthErrc::Malformed);
}

TEST_F(HostileToken, FourPartTokenIsMalformed) {
  EXPECT_EQ(refusal(token("hs", JwtFixture::goodClaims()) + ".AAAA"), AuthErrc::Malformed);
  EXPECT_EQ(refusal(token("hs", JwtFixture::goodClaims()) + "."), AuthErrc::Malformed);
}

TEST_F(HostileToken, OnlyDotsIsMalformed) { EXPECT_EQ(refusal(".."), AuthErrc::Malformed); }

TEST_F(HostileToken, PaddedSignatureIsBadBase64) {
  auto p = TokenParts::of(token("hs", JwtFixture::goodClaims()));
  ASSERT_EQ(p.signature.size(), 43u);
  p.signature += "=";
  EXPECT_EQ(refusal(p.join()), AuthErrc::BadBase64);
}

TEST_F(HostileToken, PaddedHeaderIsBadBase64) {
  auto p = TokenParts::of(token("hs", JwtFixture::goodClaims()));
  ASSERT_NE(p.header.size() % 4, 0u);
  p.header += std::string(4 - p.header.size() % 4, '=');
  EXPECT_EQ(refusal(p.join()), AuthErrc::BadBase64);
}

TEST_F(HostileToken, NonCanonicalSignatureIsBadBase64) {
  auto p = TokenParts::of(token("hs", JwtFixture::goodClaims()));
  const std::string original = p.signature;
  p.signature = nonCanonical(p.signature);
  ASSERT_NE(p.signature, original);
  EXPECT_EQ(refusal(p.join()), AuthErrc::BadBase64);
}

TEST_F(HostileToken, NonCanonicalPayloadIsBadBase64) {
  auto c = JwtFixture::goodClaims();
  std::string filler;
  std::string t;
  do {  // grow the claims until the payload part ends in a partial group
    filler += "x";
    c["pad"] = filler;
    t = token("hs", c);
  } while (TokenParts::of(t).payload.size() % 4 == 0);
  auto p = TokenParts::of(t);
  p.payload = nonCanonical(p.payload);
  EXPECT_EQ(refusal(p.join()), AuthErrc::BadBase64);
}

TEST_F(HostileToken, StandardBase64AlphabetIsBadBase64) {
  auto p = TokenParts::of(token("hs", JwtFixture::goodClaims()));
  for (char& ch : p.signature) {
    if (ch == '-') ch = '+';
    if (ch == '_') ch = '/';
  }
  p.signature[0] = '+';
  EXPECT_EQ(refusal(p.join()), AuthErrc::BadBase64);
}

TEST_F(HostileToken, WhitespaceInTokenIsBadBase64) {
  EXPECT_EQ(refusal(token("hs", JwtFixture::goodClaims()) + "\n"), AuthErrc::BadBase64);
  EXPECT_EQ(refusal(" " + token("hs", JwtFixture::goodClaims())), AuthErrc::BadBase64);
}

TEST_F(HostileToken, OneMebibyteTokenIsTooLargeAndCheap) {
  const std::string huge = std::string(1 << 20, 'A') + "..";
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(refusal(huge), AuthErrc::TooLarge);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(100));
}

TEST_F(HostileToken, TokenJustOverTheCapIsTooLarge) {
  auto c = JwtFixture::goodClaims();
  c["pad"] = std::string(9000, 'x');
  EXPECT_EQ(refusal(token("hs", c)), AuthErrc::TooLarge);
}

// --- signatures ---------------------------------------------------------------------------

std::vector<std::uint8_t> signatureOf(std::string_view token) {
  return *base64urlDecode(TokenParts::of(token).signature);
}

TEST_F(HostileToken, TruncatedHmacSignatureIsBadSignature) {
  const std::string t = token("hs", JwtFixture::goodClaims());
  auto sig = signatureOf(t);
  sig.pop_back();
  EXPECT_EQ(refusal(withSignature(t, sig)), AuthErrc::BadSignature);
}

TEST_F(HostileToken, TruncatedEs256SignatureIsBadSignature) {
  const std::string t = token("es", JwtFixture::goodClaims());
  auto sig = signatureOf(t);
  sig.pop_back();
  EXPECT_EQ(refusal(withSignature(t, sig)), AuthErrc::BadSignature);
}

TEST_F(HostileToken, TruncatedEd25519SignatureIsBadSignature) {
  const std::string t = token("ed", JwtFixture::goodClaims());
  auto sig = signatureOf(t);
  sig.pop_back();
  EXPECT_EQ(refusal(withSignature(t, sig)), AuthErrc::BadSignature);
}

TEST_F(HostileToken, TruncatedRsaSignatureIsBadSignature) {
  const std::string t = token("rs", JwtFixture::goodClaims());
  auto sig = signatureOf(t);
  sig.pop_back();
  EXPECT_EQ(refusal(withSignature(t, sig)), AuthErrc::BadSignature);
}

TEST_F(HostileToken, EmptySignatureIsBadSignature) {
  auto p = TokenParts::of(token("hs", JwtFixture::goodClaims()));
  p.signature.clear();
  EXPECT_EQ(refusal(p.join()), AuthErrc::BadSignature);
}

TEST_F(HostileToken, TamperedClaimsAreBadSignature) {
  auto p = TokenParts::of(token("ed", JwtFixture::goodClaims()));
  auto c = JwtFixture::goodClaims();
  c["roles"] = json::array{"admin"};
  p.payload = b64(json::serialize(c));
  EXPECT_EQ(refusal(p.join()), AuthErrc::BadSignature);
}

const std::vector<std::uint8_t> kOrder =
    hexDecode("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551");

std::string es256WithHalves(std::string_view token, std::optional<std::vector<std::uint8_t>> r,
                            std::optional<std::vector<std::uint8_t>> s) {
  auto sig = signatureOf(token);
  if (r) std::copy(r->begin(), r->end(), sig.begin());
  if (s) std::copy(s->begin(), s->end(), sig.begin() + 32);
  return withSignature(token, sig);
}

TEST_F(HostileToken, Es256WithRZeroIsBadSignature) {
  const std::string t = token("es", JwtFixture::goodClaims());
  EXPECT_EQ(refusal(es256WithHalves(t, std::vector<std::uint8_t>(32, 0), {})),
            AuthErrc::BadSignature);
}

TEST_F(HostileToken, Es256WithSZeroIsBadSignature) {
  const std::string t = token("es", JwtFixture::goodClaims());
  EXPECT_EQ(refusal(es256WithHalves(t, {}, std::vector<std::uint8_t>(32, 0))),
            AuthErrc::BadSignature);
}

TEST_F(HostileToken, Es256WithREqualToTheOrderIsBadSignature) {
  const std::string t = token("es", JwtFixture::goodClaims());
  EXPECT_EQ(refusal(es256WithHalves(t, kOrder, {})), AuthErrc::BadSignature);
}

TEST_F(HostileToken, Es256WithSAtOrAboveTheOrderIsBadSignature) {
  const std::string t = token("es", JwtFixture::goodClaims());
  EXPECT_EQ(refusal(es256WithHalves(t, {}, kOrder)), AuthErrc::BadSignature);
  EXPECT_EQ(refusal(es256WithHalves(t, {}, std::vector<std::uint8_t>(32, 0xff))),
            AuthErrc::BadSignature);
}

// Policy (see jws.hpp): s and n - s both verify, as in OpenSSL and other JOSE libraries.
// Accepting high-S is safe here because nothing identifies a token by its signature bytes.
TEST_F(HostileToken, Es256HighSIsAcceptedByPolicy) {
  const std::string t = token("es", JwtFixture::goodClaims());
  auto sig = signatureOf(t);
  BignumPtr n(BN_bin2bn(kOrder.data(), 32, nullptr));
  BignumPtr s(BN_bin2bn(sig.data() + 32, 32, nullptr));
  ASSERT_EQ(BN_sub(s.get(), n.get(), s.get()), 1);
  ASSERT_EQ(BN_bn2binpad(s.get(), sig.data() + 32, 32), 32);
  EXPECT_TRUE(verifier().verify(withSignature(t, sig)));
}

TEST_F(HostileToken, Es256DerSignatureIsBadSignature) {
  const std::string t = token("es", JwtFixture::goodClaims());
  const auto sig = signatureOf(t);
  EcdsaSigPtr der(ECDSA_SIG_new());
  ECDSA_SIG_set0(der.get(), BN_bin2bn(sig.data(), 32, nullptr),
                 BN_bin2bn(sig.data() + 32, 32, nullptr));
  std::vector<std::uint8_t> encoded(static_cast<std::size_t>(i2d_ECDSA_SIG(der.get(), nullptr)));
  unsigned char* p = encoded.data();
  i2d_ECDSA_SIG(der.get(), &p);
  EXPECT_EQ(refusal(withSignature(t, encoded)), AuthErrc::BadSignature);
}

}  // namespace
}  // namespace latch::auth
