// Hostile tokens, part 1: algorithms, key confusion, kid and header parameters. Each test
// builds one attack and checks the exact AuthErrc that JwtVerifier answers with.
#include <openssl/pem.h>

#include <gtest/gtest.h>
#include <boost/json/serialize.hpp>

#include "auth/jwt_fixture.hpp"

namespace latch::auth {
namespace {

namespace json = boost::json;
using testing::b64;
using testing::bytesOf;
using testing::JwtFixture;
using testing::makeToken;

using HostileToken = JwtFixture;

std::string unsignedToken(std::string_view alg, std::string_view kid) {
  json::object h{{"alg", alg}, {"kid", kid}};
  return b64(json::serialize(h)) + "." + b64(json::serialize(JwtFixture::goodClaims())) + ".";
}

// --- "none" ---------------------------------------------------------------------------------

TEST_F(HostileToken, AlgNoneIsRejected) {
  EXPECT_EQ(refusal(unsignedToken("none", "hs")), AuthErrc::UnsupportedAlgorithm);
}

TEST_F(HostileToken, AlgNoneCapitalizedIsRejected) {
  EXPECT_EQ(refusal(unsignedToken("None", "hs")), AuthErrc::UnsupportedAlgorithm);
}

TEST_F(HostileToken, AlgNoneUppercaseIsRejected) {
  EXPECT_EQ(refusal(unsignedToken("NONE", "hs")), AuthErrc::UnsupportedAlgorithm);
}

TEST_F(HostileToken, AlgNoneWithAValidHmacSignatureIsRejected) {
  const std::string t =
      makeToken(key("hs"), JwtFixture::header("nOnE", "hs"), JwtFixture::goodClaims());
  EXPECT_EQ(refusal(t), AuthErrc::UnsupportedAlgorithm);
}

TEST_F(HostileToken, UnknownAlgorithmIsRejected) {
  const std::string t =
      makeToken(key("hs"), JwtFixture::header("HS1024", "hs"), JwtFixture::goodClaims());
  EXPECT_EQ(refusal(t), AuthErrc::UnsupportedAlgorithm);
}

TEST_F(HostileToken, AlgorithmNamesAreCaseSensitive) {
  const std::string t =
      makeToken(key("hs"), JwtFixture::header("hs256", "hs"), JwtFixture::goodClaims());
  EXPECT_EQ(refusal(t), AuthErrc::UnsupportedAlgorithm);
}

// --- key confusion --------------------------------------------------------------------------

// The classic attack: sign HS256 with the server's public key as the HMAC secret.
std::string hmacWithSecret(std::span<const std::uint8_t> secret, std::string_view kid) {
  auto fake = JwtKey::fromHmacSecret("x", JwtAlgorithm::HS256, secret);
  EXPECT_TRUE(fake);
  return makeToken(*fake, JwtFixture::header("HS256", kid), JwtFixture::goodClaims());
}

std::string publicPem(const JwtKey& key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PUBKEY(bio.get(), key.pkey());
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

TEST_F(HostileToken, Hs256SignedWithEs256PublicPemIsAlgorithmMismatch) {
  EXPECT_EQ(refusal(hmacWithSecret(bytesOf(publicPem(key("es"))), "es")),
            AuthErrc::AlgorithmMismatch);
}

TEST_F(HostileToken, Hs256SignedWithEs256PointBytesIsAlgorithmMismatch) {
  auto jwk = key("es").toPublicJwk();
  ASSERT_TRUE(jwk);
  auto x = base64urlDecode(std::string_view(jwk->at("x").as_string()));
  auto y = base64urlDecode(std::string_view(jwk->at("y").as_string()));
  std::vector<std::uint8_t> point{0x04};
  point.insert(point.end(), x->begin(), x->end());
  point.insert(point.end(), y->begin(), y->end());
  EXPECT_EQ(refusal(hmacWithSecret(point, "es")), AuthErrc::AlgorithmMismatch);
}

TEST_F(HostileToken, Hs256SignedWithEd25519PublicKeyIsAlgorithmMismatch) {
  std::vector<std::uint8_t> raw(32);
  std::size_t len = raw.size();
  ASSERT_EQ(EVP_PKEY_get_raw_public_key(key("ed").pkey(), raw.data(), &len), 1);
  EXPECT_EQ(refusal(hmacWithSecret(raw, "ed")), AuthErrc::AlgorithmMismatch);
  EXPECT_EQ(refusal(hmacWithSecret(bytesOf(publicPem(key("ed"))), "ed")),
            AuthErrc::AlgorithmMismatch);
}

TEST_F(HostileToken, Hs256SignedWithRsaPublicPemIsAlgorithmMismatch) {
  EXPECT_EQ(refusal(hmacWithSecret(bytesOf(publicPem(key("rs"))), "rs")),
            AuthErrc::AlgorithmMismatch);
}

TEST_F(HostileToken, KeyConfusionWithoutKidAgainstASingleAsymmetricKey) {
  KeySet only;
  auto jwk = key("es").toPublicJwk();
  ASSERT_TRUE(jwk);
  ASSERT_TRUE(only.add(*JwtKey::fromJwk(*jwk)));
  auto fake = JwtKey::fromHmacSecret("x", JwtAlgorithm::HS256, bytesOf(publicPem(key("es"))));
  ASSERT_TRUE(fake);
  const std::string t =
      makeToken(*fake, R"({"alg":"HS256"})", json::serialize(JwtFixture::goodClaims()));
  EXPECT_EQ(refusalBy(JwtVerifier(options(), only, clock_), t), AuthErrc::AlgorithmMismatch);
}

TEST_F(HostileToken, EdDsaTokenNamingTheEcKeyIsAlgorithmMismatch) {
  const std::string t =
      makeToken(key("ed"), JwtFixture::header("EdDSA", "es"), JwtFixture::goodClaims());
  EXPECT_EQ(refusal(t), AuthErrc::AlgorithmMismatch);
}

// --- kid ---------------------------------------------------------------------------------

TEST_F(HostileToken, WrongKidIsBadSignature) {
  addGenerated("hs2", JwtAlgorithm::HS256);
  const std::string t =
      makeToken(key("hs"), JwtFixture::header("HS256", "hs2"), JwtFixture::goodClaims());
  EXPECT_EQ(refusal(t), AuthErrc::BadSignature);
}

TEST_F(HostileToken, UnknownKidIsUnknownKey) {
  const std::string t =
      makeToken(key("hs"), JwtFixture::header("HS256", "nobody"), JwtFixture::goodClaims());
  EXPECT_EQ(refusal(t), AuthErrc::UnknownKey);
}

TEST_F(HostileToken, MissingKidWithSeveralKeysIsUnknownKey) {
  const std::string t =
      makeToken(key("hs"), R"({"alg":"HS256"})", json::serialize(JwtFixture::goodClaims()));
  EXPECT_EQ(refusal(t), AuthErrc::UnknownKey);
}

TEST_F(HostileToken, NonStringKidIsMalformed) {
  const std::string t = makeToken(key("hs"), R"({"alg":"HS256","kid":["hs"]})",
                                  json::serialize(JwtFixture::goodClaims()));
  EXPECT_EQ(refusal(t), AuthErrc::Malformed);
}

// --- headers ------------------------------------------------------------------------------

std::string withHeader(const JwtFixture& f, std::string_view extra) {
  return makeToken(f.key("hs"),
                   std::string(R"({"alg":"HS256","kid":"hs",)") + std::string(extra) + "}",
                   json::serialize(JwtFixture::goodClaims()));
}

TEST_F(HostileToken, CritHeaderIsUnknownCritical) {
  EXPECT_EQ(refusal(withHeader(*this, R"("crit":["exp"],"exp":1)")), AuthErrc::UnknownCritical);
}

TEST_F(HostileToken, EmptyCritHeaderIsUnknownCritical) {
  EXPECT_EQ(refusal(withHeader(*this, R"("crit":[])")), AuthErrc::UnknownCritical);
}

TEST_F(HostileToken, ATypOtherThanJwtIsRefused) {
  EXPECT_EQ(refusal(withHeader(*this, R"("typ":"at+jwt")")), AuthErrc::WrongType);
  EXPECT_EQ(refusal(withHeader(*this, R"("typ":"JOSE")")), AuthErrc::WrongType);
  EXPECT_EQ(refusal(withHeader(*this, R"("typ":"")")), AuthErrc::WrongType);
  EXPECT_EQ(refusal(withHeader(*this, R"("typ":1)")), AuthErrc::WrongType);
}

TEST_F(HostileToken, TypJwtInAnyCaseOrAsItsMediaTypeIsAccepted) {
  for (const char* typ : {R"("typ":"JWT")", R"("typ":"jwt")", R"("typ":"application/JWT")"}) {
    EXPECT_TRUE(verifier().verify(withHeader(*this, typ))) << typ;
  }
  // Absent: accepted too (the withHeader base has none).
  EXPECT_TRUE(verifier().verify(withHeader(*this, R"("x":1)")));
}

TEST_F(HostileToken, JkuHeaderIsForbidden) {
  EXPECT_EQ(refusal(withHeader(*this, R"("jku":"https://evil.test/jwks.json")")),
            AuthErrc::ForbiddenHeader);
}

TEST_F(HostileToken, X5uHeaderIsForbidden) {
  EXPECT_EQ(refusal(withHeader(*this, R"("x5u":"https://evil.test/cert.pem")")),
            AuthErrc::ForbiddenHeader);
}

TEST_F(HostileToken, EmbeddedJwkHeaderIsForbidden) {
  EXPECT_EQ(refusal(withHeader(*this, R"("jwk":{"kty":"oct","k":"AAAA"})")),
            AuthErrc::ForbiddenHeader);
}

TEST_F(HostileToken, X5cHeaderIsForbidden) {
  EXPECT_EQ(refusal(withHeader(*this, R"("x5c":["MIIB"])")), AuthErrc::ForbiddenHeader);
}

TEST_F(HostileToken, UnencodedPayloadHeaderIsForbidden) {
  EXPECT_EQ(refusal(withHeader(*this, R"("b64":false)")), AuthErrc::ForbiddenHeader);
}

TEST_F(HostileToken, DuplicateHeaderKeysAreDuplicateKey) {
  const std::string t = makeToken(key("hs"), R"({"alg":"HS256","kid":"hs","alg":"none"})",
                                  json::serialize(JwtFixture::goodClaims()));
  EXPECT_EQ(refusal(t), AuthErrc::DuplicateKey);
}

TEST_F(HostileToken, DuplicateClaimsAreDuplicateKey) {
  const std::string t = makeToken(
      key("hs"), R"({"alg":"HS256","kid":"hs"})",
      R"({"iss":"https://latch.test","aud":"latch","exp":1764406200,"sub":"user-1","sub":"admin"})");
  EXPECT_EQ(refusal(t), AuthErrc::DuplicateKey);
}

TEST_F(HostileToken, DuplicateClaimsHiddenByEscapesAreDuplicateKey) {
  const std::string t = makeToken(
      key("hs"), R"({"alg":"HS256","kid":"hs"})",
      R"({"iss":"https://latch.test","aud":"latch","exp":1764406200,"sub":"user-1","s\u0075b":"admin"})");
  EXPECT_EQ(refusal(t), AuthErrc::DuplicateKey);
}

TEST_F(HostileToken, NonJsonHeaderIsMalformed) {
  const std::string t =
      makeToken(key("hs"), "alg=HS256", json::serialize(JwtFixture::goodClaims()));
  EXPECT_EQ(refusal(t), AuthErrc::Malformed);
}

TEST_F(HostileToken, HeaderThatIsAnArrayIsMalformed) {
  const std::string t =
      makeToken(key("hs"), R"(["HS256","hs"])", json::serialize(JwtFixture::goodClaims()));
  EXPECT_EQ(refusal(t), AuthErrc::Malformed);
}

TEST_F(HostileToken, HeaderWithoutAlgIsMalformed) {
  const std::string t =
      makeToken(key("hs"), R"({"kid":"hs"})", json::serialize(JwtFixture::goodClaims()));
  EXPECT_EQ(refusal(t), AuthErrc::Malformed);
}

TEST_F(HostileToken, NonStringAlgIsMalformed) {
  const std::string t =
      makeToken(key("hs"), R"({"alg":256,"kid":"hs"})", json::serialize(JwtFixture::goodClaims()));
  EXPECT_EQ(refusal(t), AuthErrc::Malformed);
}

TEST_F(HostileToken, HeaderWithInvalidUtf8IsMalformed) {
  const std::string t = makeToken(key("hs"), "{\"alg\":\"HS256\",\"kid\":\"hs\",\"x\":\"\xff\"}",
                                  json::serialize(JwtFixture::goodClaims()));
  EXPECT_EQ(refusal(t), AuthErrc::Malformed);
}

}  // namespace
}  // namespace latch::auth
