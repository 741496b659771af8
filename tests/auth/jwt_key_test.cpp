#include "auth/jwt_key.hpp"

#include <openssl/pem.h>

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include "auth/auth_test_support.hpp"

namespace latch::auth {
namespace {

using testing::bytesOf;
using testing::sharedKey;

std::string pemOf(EVP_PKEY* pkey, bool privateKey, const EVP_CIPHER* cipher = nullptr) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  static char pass[] = "secret";
  if (privateKey) {
    PEM_write_bio_PrivateKey(bio.get(), pkey, cipher, nullptr, 0, nullptr, cipher ? pass : nullptr);
  } else {
    PEM_write_bio_PUBKEY(bio.get(), pkey);
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

std::string publicPemOf(const JwtKey& key) { return pemOf(key.pkey(), false); }

AuthErrc errorOf(const AuthResult<JwtKey>& r) {
  EXPECT_FALSE(r);
  return r ? AuthErrc::Revoked : r.error().code;
}

AuthResult<JwtKey> jwk(std::string_view text) {
  return JwtKey::fromJwk(boost::json::parse(text).as_object());
}

TEST(JwtKey, HmacSecretMustBeAtLeastTheHashSize) {
  const std::vector<std::uint8_t> s31(31, 7), s32(32, 7), s47(47, 7), s48(48, 7), s63(63, 7),
      s64(64, 7);
  EXPECT_EQ(errorOf(JwtKey::fromHmacSecret("k", JwtAlgorithm::HS256, s31)), AuthErrc::InvalidKey);
  EXPECT_TRUE(JwtKey::fromHmacSecret("k", JwtAlgorithm::HS256, s32));
  EXPECT_EQ(errorOf(JwtKey::fromHmacSecret("k", JwtAlgorithm::HS384, s47)), AuthErrc::InvalidKey);
  EXPECT_TRUE(JwtKey::fromHmacSecret("k", JwtAlgorithm::HS384, s48));
  EXPECT_EQ(errorOf(JwtKey::fromHmacSecret("k", JwtAlgorithm::HS512, s63)), AuthErrc::InvalidKey);
  EXPECT_TRUE(JwtKey::fromHmacSecret("k", JwtAlgorithm::HS512, s64));
  EXPECT_EQ(errorOf(JwtKey::fromHmacSecret("k", JwtAlgorithm::ES256, s64)), AuthErrc::InvalidKey);
}

TEST(JwtKey, GeneratesKeysOfEachAlgorithm) {
  for (auto alg : {JwtAlgorithm::HS256, JwtAlgorithm::HS384, JwtAlgorithm::HS512,
                   JwtAlgorithm::ES256, JwtAlgorithm::EdDSA}) {
    auto key = JwtKey::generate("kid-1", alg);
    ASSERT_TRUE(key) << algorithmName(alg);
    EXPECT_EQ(key->kid(), "kid-1");
    EXPECT_EQ(key->alg(), alg);
    EXPECT_TRUE(key->canSign());
    EXPECT_EQ(key->hmacSecret().size(), hmacOutputSize(alg));
  }
  EXPECT_EQ(EVP_PKEY_get_bits(sharedKey(JwtAlgorithm::RS256).pkey()), 2048);
}

TEST(JwtKey, GeneratedHmacSecretsDiffer) {
  auto a = JwtKey::generate("a", JwtAlgorithm::HS256);
  auto b = JwtKey::generate("b", JwtAlgorithm::HS256);
  ASSERT_TRUE(a && b);
  EXPECT_FALSE(std::equal(a->hmacSecret().begin(), a->hmacSecret().end(), b->hmacSecret().begin()));
}

TEST(JwtKey, PrivatePemRoundTrips) {
  for (auto alg : {JwtAlgorithm::ES256, JwtAlgorithm::EdDSA, JwtAlgorithm::RS256}) {
    const JwtKey& key = sharedKey(alg);
    auto pem = key.toPem();
    ASSERT_TRUE(pem);
    EXPECT_NE(pem->find("-----BEGIN PRIVATE KEY-----"), std::string::npos);
    auto back = JwtKey::fromPem("again", alg, *pem);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_TRUE(back->canSign());
    EXPECT_EQ(EVP_PKEY_eq(back->pkey(), key.pkey()), 1);
  }
}

TEST(JwtKey, PublicPemGivesVerifyOnlyKey) {
  auto key =
      JwtKey::fromPem("pub", JwtAlgorithm::ES256, publicPemOf(sharedKey(JwtAlgorithm::ES256)));
  ASSERT_TRUE(key);
  EXPECT_FALSE(key->canSign());
  EXPECT_EQ(key->toPem().error().code, AuthErrc::InvalidKey);
}

TEST(JwtKey, PemMustMatchTheAlgorithm) {
  const std::string rsa = publicPemOf(sharedKey(JwtAlgorithm::RS256));
  const std::string ec = publicPemOf(sharedKey(JwtAlgorithm::ES256));
  const std::string ed = publicPemOf(sharedKey(JwtAlgorithm::EdDSA));
  EXPECT_EQ(errorOf(JwtKey::fromPem("k", JwtAlgorithm::ES256, rsa)), AuthErrc::InvalidKey);
  EXPECT_EQ(errorOf(JwtKey::fromPem("k", JwtAlgorithm::ES256, ed)), AuthErrc::InvalidKey);
  EXPECT_EQ(errorOf(JwtKey::fromPem("k", JwtAlgorithm::EdDSA, ec)), AuthErrc::InvalidKey);
  EXPECT_EQ(errorOf(JwtKey::fromPem("k", JwtAlgorithm::RS256, ec)), AuthErrc::InvalidKey);
  EXPECT_EQ(errorOf(JwtKey::fromPem("k", JwtAlgorithm::HS256, ec)), AuthErrc::InvalidKey);
}

TEST(JwtKey, RefusesEcKeysOffP256) {
  PkeyPtr p384(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"));
  ASSERT_TRUE(p384);
  EXPECT_EQ(errorOf(JwtKey::fromPem("k", JwtAlgorithm::ES256, pemOf(p384.get(), false))),
            AuthErrc::InvalidKey);
  PkeyPtr k256(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "secp256k1"));
  ASSERT_TRUE(k256);
  EXPECT_EQ(errorOf(JwtKey::fromPem("k", JwtAlgorithm::ES256, pemOf(k256.get(), true))),
            AuthErrc::InvalidKey);
}

TEST(JwtKey, RefusesRsaKeysBelow2048Bits) {
  PkeyPtr small(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{1024}));
  ASSERT_TRUE(small);
  EXPECT_EQ(errorOf(JwtKey::fromPem("k", JwtAlgorithm::RS256, pemOf(small.get(), false))),
            AuthErrc::InvalidKey);
}

TEST(JwtKey, RefusesEncryptedPemWithoutPrompting) {
  const std::string pem = pemOf(sharedKey(JwtAlgorithm::ES256).pkey(), true, EVP_aes_256_cbc());
  ASSERT_NE(pem.find("ENCRYPTED"), std::string::npos);
  EXPECT_EQ(errorOf(JwtKey::fromPem("k", JwtAlgorithm::ES256, pem)), AuthErrc::Malformed);
}

TEST(JwtKey, RefusesTextThatIsNotPem) {
  EXPECT_EQ(errorOf(JwtKey::fromPem("k", JwtAlgorithm::ES256, "")), AuthErrc::Malformed);
  EXPECT_EQ(
      errorOf(JwtKey::fromPem("k", JwtAlgorithm::ES256, "-----BEGIN PUBLIC KEY-----\nAAAA\n")),
      AuthErrc::Malformed);
}

TEST(JwtKey, PublicJwkRoundTripsForAsymmetricKeys) {
  for (auto alg : {JwtAlgorithm::ES256, JwtAlgorithm::EdDSA, JwtAlgorithm::RS256}) {
    const JwtKey& key = sharedKey(alg);
    auto jwk = key.toPublicJwk();
    ASSERT_TRUE(jwk);
    EXPECT_EQ(jwk->at("kid").as_string(), key.kid());
    EXPECT_EQ(jwk->at("alg").as_string(), algorithmName(alg));
    EXPECT_EQ(jwk->at("use").as_string(), "sig");
    EXPECT_FALSE(jwk->contains("d"));
    auto back = JwtKey::fromJwk(*jwk);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(back->alg(), alg);
    EXPECT_FALSE(back->canSign());
    EXPECT_EQ(EVP_PKEY_eq(back->pkey(), key.pkey()), 1);
  }
}

TEST(JwtKey, HmacKeysHaveNoPublicForm) {
  EXPECT_EQ(sharedKey(JwtAlgorithm::HS256).toPublicJwk().error().code, AuthErrc::InvalidKey);
  EXPECT_EQ(sharedKey(JwtAlgorithm::HS256).toPem().error().code, AuthErrc::InvalidKey);
}

TEST(JwtKey, ReadsOctJwkWithAlg) {
  auto key = jwk(
      R"({"kty":"oct","alg":"HS256","kid":"a","k":"-ebuDNsVZ2iJtoZ-akfXTSCt4UO2cruLCsbWlBinggE"})");
  ASSERT_TRUE(key);
  EXPECT_EQ(key->kid(), "a");
  EXPECT_EQ(key->hmacSecret().size(), 32u);
  EXPECT_EQ(errorOf(jwk(R"({"kty":"oct","k":"-ebuDNsVZ2iJtoZ-akfXTSCt4UO2cruLCsbWlBinggE"})")),
            AuthErrc::InvalidKey);
  EXPECT_EQ(errorOf(jwk(
                R"({"kty":"oct","alg":"HS256","k":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg"})")),
            AuthErrc::InvalidKey);
}

TEST(JwtKey, JwkAlgMustFitTheKeyType) {
  const std::string x = "04N0xi21hshyvBp7I167sbE_bXqyqkAPfefdklMO7wY";
  const std::string y = "UI8exy-C06a7DUnjIdENkxeFtHM4-l_41LqEw9nVgmw";
  auto ec = [&](std::string_view extra) {
    return jwk(R"({"kty":"EC","crv":"P-256","x":")" + x + R"(","y":")" + y + "\"" +
               std::string(extra) + "}");
  };
  EXPECT_TRUE(ec(""));
  EXPECT_TRUE(ec(R"(,"alg":"ES256","use":"sig","key_ops":["verify"])"));
  EXPECT_EQ(errorOf(ec(R"(,"alg":"HS256")")), AuthErrc::InvalidKey);
  EXPECT_EQ(errorOf(ec(R"(,"alg":"ES384")")), AuthErrc::UnsupportedAlgorithm);
  EXPECT_EQ(errorOf(ec(R"(,"use":"enc")")), AuthErrc::UnsupportedAlgorithm);
  EXPECT_EQ(errorOf(ec(R"(,"key_ops":["encrypt"])")), AuthErrc::UnsupportedAlgorithm);
  EXPECT_EQ(errorOf(ec(R"(,"kid":7)")), AuthErrc::Malformed);
  EXPECT_EQ(errorOf(ec(R"(,"d":"yy49oPcINGK2ps0LmtxpB6UTEOiITghHBif6wDqmJ3c")")),
            AuthErrc::InvalidKey);
}

TEST(JwtKey, RefusesEcJwkPointsOffTheCurve) {
  EXPECT_EQ(
      errorOf(jwk(
          R"({"kty":"EC","crv":"P-256","x":"04N0xi21hshyvBp7I167sbE_bXqyqkAPfefdklMO7wY","y":"UI8exy-C06a7DUnjIdENkxeFtHM4-l_41LqEw9nVgnw"})")),
      AuthErrc::InvalidKey);
  // Short coordinates (31 bytes): RFC 7518 requires the full field size.
  EXPECT_EQ(
      errorOf(jwk(
          R"({"kty":"EC","crv":"P-256","x":"N0xi21hshyvBp7I167sbE_bXqyqkAPfefdklMO7w","y":"UI8exy-C06a7DUnjIdENkxeFtHM4-l_41LqEw9nVgmw"})")),
      AuthErrc::InvalidKey);
  EXPECT_EQ(errorOf(jwk(R"({"kty":"EC","crv":"P-384","x":"AA","y":"AA"})")),
            AuthErrc::UnsupportedAlgorithm);
}

TEST(JwtKey, ReadsEd25519JwkOnly) {
  EXPECT_TRUE(
      jwk(R"({"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"})"));
  EXPECT_EQ(
      errorOf(
          jwk(R"({"kty":"OKP","crv":"X25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"})")),
      AuthErrc::UnsupportedAlgorithm);
  EXPECT_EQ(
      errorOf(
          jwk(R"({"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHUR"})")),
      AuthErrc::BadBase64);
}

TEST(JwtKey, RefusesWeakRsaJwks) {
  auto jwkOf = sharedKey(JwtAlgorithm::RS256).toPublicJwk();
  ASSERT_TRUE(jwkOf);
  boost::json::object k = *jwkOf;
  k["e"] = "AQ";  // e = 1
  EXPECT_EQ(errorOf(JwtKey::fromJwk(k)), AuthErrc::InvalidKey);
  k["e"] = "AAEAAQ";  // leading zero byte
  EXPECT_EQ(errorOf(JwtKey::fromJwk(k)), AuthErrc::InvalidKey);
  k["e"] = "AQAB";
  k["n"] =
      "rJBIp6T1YK-RtPyvYqFFlcucqewSAA_IReSFchE8qyiQrbARqRlXWkB2DR8j_"
      "pJQnIpYELbQWZC5Cd0PTGAU8rMbar2AW6zpmBbi7aQf17lUBdt8XI9M9rq7FPVQ1dDdUXm1SVH_"
      "9qqWhvMPR422SbfHBEzCAtzK0ANDRo6qz78";
  EXPECT_EQ(errorOf(JwtKey::fromJwk(k)), AuthErrc::InvalidKey);  // 1024 bits
}

TEST(JwtKey, RefusesUnknownKeyTypes) {
  EXPECT_EQ(errorOf(jwk(R"({"kty":"DSA"})")), AuthErrc::UnsupportedAlgorithm);
  EXPECT_EQ(errorOf(jwk(R"({"crv":"P-256"})")), AuthErrc::Malformed);
}

TEST(JwtKey, MoveAssignmentKeepsTheMovedKey) {
  auto a = JwtKey::generate("a", JwtAlgorithm::HS256);
  auto b = JwtKey::generate("b", JwtAlgorithm::HS256);
  ASSERT_TRUE(a && b);
  const std::vector<std::uint8_t> secretB(b->hmacSecret().begin(), b->hmacSecret().end());
  *a = std::move(*b);
  EXPECT_EQ(a->kid(), "b");
  EXPECT_TRUE(std::equal(secretB.begin(), secretB.end(), a->hmacSecret().begin()));
}

}  // namespace
}  // namespace latch::auth
