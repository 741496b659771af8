#include "auth/jws.hpp"

#include <openssl/bn.h>

#include <gtest/gtest.h>

#include "auth/auth_test_support.hpp"

namespace latch::auth {
namespace {

using Bytes = std::vector<std::uint8_t>;
using testing::hexDecode;
using testing::sharedKey;

const Bytes kP256Order =
    hexDecode("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551");

constexpr std::string_view kInput = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhIn0";

class JwsRoundTrip : public ::testing::TestWithParam<JwtAlgorithm> {};

TEST_P(JwsRoundTrip, SignsAndVerifies) {
  const JwtKey& key = sharedKey(GetParam());
  auto sig = jwsSign(key, kInput);
  ASSERT_TRUE(sig) << sig.error().message;
  EXPECT_TRUE(jwsVerify(key, kInput, *sig));
  EXPECT_FALSE(jwsVerify(key, "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJiIn0", *sig));
  Bytes flipped = *sig;
  flipped[flipped.size() / 2] ^= 0x01;
  EXPECT_EQ(jwsVerify(key, kInput, flipped).error().code, AuthErrc::BadSignature);
  Bytes shorter(sig->begin(), sig->end() - 1);
  EXPECT_FALSE(jwsVerify(key, kInput, shorter));
  Bytes longer = *sig;
  longer.push_back(0);
  EXPECT_FALSE(jwsVerify(key, kInput, longer));
  EXPECT_FALSE(jwsVerify(key, kInput, Bytes{}));
}

INSTANTIATE_TEST_SUITE_P(EachAlgorithm, JwsRoundTrip,
                         ::testing::Values(JwtAlgorithm::HS256, JwtAlgorithm::ES256,
                                           JwtAlgorithm::EdDSA, JwtAlgorithm::RS256),
                         [](const auto& info) { return std::string(algorithmName(info.param)); });

TEST(Jws, SignatureSizesFollowRfc7518) {
  EXPECT_EQ(jwsSign(sharedKey(JwtAlgorithm::HS256), kInput)->size(), 32u);
  EXPECT_EQ(jwsSign(sharedKey(JwtAlgorithm::ES256), kInput)->size(), 64u);
  EXPECT_EQ(jwsSign(sharedKey(JwtAlgorithm::EdDSA), kInput)->size(), 64u);
  EXPECT_EQ(jwsSign(sharedKey(JwtAlgorithm::RS256), kInput)->size(), 256u);
  for (auto alg : {JwtAlgorithm::HS384, JwtAlgorithm::HS512}) {
    auto key = JwtKey::generate("h", alg);
    ASSERT_TRUE(key);
    auto sig = jwsSign(*key, kInput);
    ASSERT_TRUE(sig);
    EXPECT_EQ(sig->size(), hmacOutputSize(alg));
    EXPECT_TRUE(jwsVerify(*key, kInput, *sig));
  }
}

TEST(Jws, HmacMatchesRfc4868TestCasePrf1) {
  // RFC 4868 2.7.2.1: a 32-byte key, long enough for HS256 (RFC 4231's keys are shorter).
  const Bytes secret(32, 0x0b);
  auto key = JwtKey::fromHmacSecret("k", JwtAlgorithm::HS256, secret);
  ASSERT_TRUE(key);
  auto sig = jwsSign(*key, "Hi There");
  ASSERT_TRUE(sig);
  EXPECT_EQ(*sig, hexDecode("198a607eb44bfbc69903a0f1cf2bbdc5ba0aa3f3d9ae3c1c7a3b1696a0b68cf7"));
}

TEST(Jws, PublicKeysCannotSign) {
  auto jwk = sharedKey(JwtAlgorithm::EdDSA).toPublicJwk();
  ASSERT_TRUE(jwk);
  auto pub = JwtKey::fromJwk(*jwk);
  ASSERT_TRUE(pub);
  EXPECT_EQ(jwsSign(*pub, kInput).error().code, AuthErrc::InvalidKey);
  auto sig = jwsSign(sharedKey(JwtAlgorithm::EdDSA), kInput);
  ASSERT_TRUE(sig);
  EXPECT_TRUE(jwsVerify(*pub, kInput, *sig));
}

Bytes withHalves(const Bytes& r, const Bytes& s) {
  Bytes out = r;
  out.insert(out.end(), s.begin(), s.end());
  return out;
}

TEST(Jws, Es256RejectsScalarsOutOfRange) {
  const JwtKey& key = sharedKey(JwtAlgorithm::ES256);
  auto sig = jwsSign(key, kInput);
  ASSERT_TRUE(sig);
  const Bytes r(sig->begin(), sig->begin() + 32), s(sig->begin() + 32, sig->end());
  const Bytes zero(32, 0), ones(32, 0xff);
  EXPECT_FALSE(jwsVerify(key, kInput, withHalves(zero, s)));
  EXPECT_FALSE(jwsVerify(key, kInput, withHalves(r, zero)));
  EXPECT_FALSE(jwsVerify(key, kInput, withHalves(kP256Order, s)));
  EXPECT_FALSE(jwsVerify(key, kInput, withHalves(r, kP256Order)));
  EXPECT_FALSE(jwsVerify(key, kInput, withHalves(r, ones)));
  EXPECT_FALSE(jwsVerify(key, kInput, withHalves(zero, zero)));
}

// Policy: high-S ECDSA signatures (s > n/2) are accepted. RFC 7518 does not require low-S,
// other JOSE libraries (jose for Node) emit both forms, and Latch never identifies a token
// by its signature bytes (revocation uses jti), so malleability gains an attacker nothing.
TEST(Jws, Es256AcceptsHighSAsOpensslDoes) {
  const JwtKey& key = sharedKey(JwtAlgorithm::ES256);
  auto sig = jwsSign(key, kInput);
  ASSERT_TRUE(sig);
  BignumPtr n(BN_bin2bn(kP256Order.data(), 32, nullptr));
  BignumPtr s(BN_bin2bn(sig->data() + 32, 32, nullptr));
  BignumPtr flipped(BN_new());
  ASSERT_EQ(BN_sub(flipped.get(), n.get(), s.get()), 1);
  Bytes other = *sig;
  ASSERT_EQ(BN_bn2binpad(flipped.get(), other.data() + 32, 32), 32);
  EXPECT_NE(other, *sig);
  EXPECT_TRUE(jwsVerify(key, kInput, other));
}

TEST(Jws, Es256RejectsDerSignatures) {
  const JwtKey& key = sharedKey(JwtAlgorithm::ES256);
  auto sig = jwsSign(key, kInput);
  ASSERT_TRUE(sig);
  EcdsaSigPtr der(ECDSA_SIG_new());
  ECDSA_SIG_set0(der.get(), BN_bin2bn(sig->data(), 32, nullptr),
                 BN_bin2bn(sig->data() + 32, 32, nullptr));
  Bytes encoded(static_cast<std::size_t>(i2d_ECDSA_SIG(der.get(), nullptr)));
  unsigned char* p = encoded.data();
  i2d_ECDSA_SIG(der.get(), &p);
  EXPECT_FALSE(jwsVerify(key, kInput, encoded));
}

TEST(Jws, KeysOfTheSameTypeDoNotVerifyEachOther) {
  auto other = JwtKey::generate("other", JwtAlgorithm::ES256);
  ASSERT_TRUE(other);
  auto sig = jwsSign(*other, kInput);
  ASSERT_TRUE(sig);
  EXPECT_FALSE(jwsVerify(sharedKey(JwtAlgorithm::ES256), kInput, *sig));
}

}  // namespace
}  // namespace latch::auth
