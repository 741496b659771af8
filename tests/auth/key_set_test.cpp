#include "auth/key_set.hpp"

#include <optional>

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace latch::auth {
namespace {

// The error code of a result that must have failed; a success fails the test (error() of a
// successful result is a default value that could match by accident).
template <class R>
std::optional<AuthErrc> errorOf(const R& result) {
  EXPECT_FALSE(result) << "expected a failure";
  if (result) return std::nullopt;
  return result.error().code;
}

JwtKey generate(std::string kid, JwtAlgorithm alg) {
  auto k = JwtKey::generate(std::move(kid), alg);
  EXPECT_TRUE(k);
  return std::move(*k);
}

TEST(KeySet, FindsKeysByKid) {
  KeySet set;
  ASSERT_TRUE(set.add(generate("a", JwtAlgorithm::HS256)));
  ASSERT_TRUE(set.add(generate("b", JwtAlgorithm::EdDSA)));
  ASSERT_NE(set.find("a"), nullptr);
  EXPECT_EQ(set.find("a")->alg(), JwtAlgorithm::HS256);
  EXPECT_EQ(set.find("b")->alg(), JwtAlgorithm::EdDSA);
  EXPECT_EQ(set.find("c"), nullptr);
  EXPECT_EQ(set.find(""), nullptr);
  EXPECT_EQ(set.size(), 2u);
}

TEST(KeySet, RefusesADuplicateKid) {
  KeySet set;
  ASSERT_TRUE(set.add(generate("a", JwtAlgorithm::HS256)));
  auto again = set.add(generate("a", JwtAlgorithm::ES256));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, AuthErrc::DuplicateKey);
  EXPECT_EQ(set.find("a")->alg(), JwtAlgorithm::HS256);
}

TEST(KeySet, SingleIsOnlyForOneKey) {
  KeySet set;
  EXPECT_EQ(set.single(), nullptr);
  ASSERT_TRUE(set.add(generate("a", JwtAlgorithm::HS256)));
  ASSERT_NE(set.single(), nullptr);
  ASSERT_TRUE(set.add(generate("b", JwtAlgorithm::HS256)));
  EXPECT_EQ(set.single(), nullptr);
}

TEST(KeySet, CurrentKeyMustExistAndSign) {
  KeySet set;
  ASSERT_TRUE(set.add(generate("old", JwtAlgorithm::HS256)));
  ASSERT_TRUE(set.add(generate("new", JwtAlgorithm::EdDSA)));
  auto pub = set.find("new")->toPublicJwk();
  ASSERT_TRUE(pub);
  (*pub)["kid"] = "public-only";
  auto publicKey = JwtKey::fromJwk(*pub);
  ASSERT_TRUE(publicKey);
  ASSERT_TRUE(set.add(std::move(*publicKey)));

  EXPECT_EQ(set.current(), nullptr);
  EXPECT_EQ(errorOf(set.setCurrent("missing")), AuthErrc::UnknownKey);
  EXPECT_EQ(errorOf(set.setCurrent("public-only")), AuthErrc::InvalidKey);
  ASSERT_TRUE(set.setCurrent("new"));
  EXPECT_EQ(set.current()->kid(), "new");
  ASSERT_TRUE(set.setCurrent("old"));
  EXPECT_EQ(set.current()->kid(), "old");
}

TEST(KeySet, JwksPublishesOnlyPublicAsymmetricKeys) {
  KeySet set;
  ASSERT_TRUE(set.add(generate("hmac", JwtAlgorithm::HS256)));
  ASSERT_TRUE(set.add(generate("ed", JwtAlgorithm::EdDSA)));
  ASSERT_TRUE(set.add(generate("ec", JwtAlgorithm::ES256)));
  const auto doc = set.jwks();
  const auto& keys = doc.at("keys").as_array();
  ASSERT_EQ(keys.size(), 2u);
  for (const auto& k : keys) {
    const auto& o = k.as_object();
    EXPECT_NE(o.at("kid").as_string(), "hmac");
    EXPECT_FALSE(o.contains("k"));
    EXPECT_FALSE(o.contains("d"));
  }
}

TEST(KeySet, JwksDocumentLoadsBack) {
  KeySet set;
  ASSERT_TRUE(set.add(generate("ed", JwtAlgorithm::EdDSA)));
  ASSERT_TRUE(set.add(generate("ec", JwtAlgorithm::ES256)));
  auto back = keySetFromJwks(set.jwks());
  ASSERT_TRUE(back);
  EXPECT_EQ(back->size(), 2u);
  EXPECT_EQ(back->find("ec")->alg(), JwtAlgorithm::ES256);
  EXPECT_FALSE(back->find("ec")->canSign());
}

TEST(KeySet, JwksIgnoresKeysItDoesNotImplement) {
  const auto doc = boost::json::parse(R"({"keys":[
    {"kty":"EC","crv":"P-384","kid":"p384","x":"AA","y":"AA"},
    {"kty":"RSA","use":"enc","kid":"enc","n":"AQAB","e":"AQAB"},
    {"kty":"OKP","crv":"Ed25519","kid":"ed","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
  ]})");
  std::size_t ignored = 0;
  auto set = keySetFromJwks(doc.as_object(), &ignored);
  ASSERT_TRUE(set) << set.error().message;
  EXPECT_EQ(set->size(), 1u);
  EXPECT_EQ(ignored, 2u);
}

TEST(KeySet, JwksFailsOnBrokenKeysAndDuplicateKids) {
  auto broken = boost::json::parse(R"({"keys":[
    {"kty":"OKP","crv":"Ed25519","kid":"ed","x":"short"}]})");
  EXPECT_FALSE(keySetFromJwks(broken.as_object()));
  auto dup = boost::json::parse(R"({"keys":[
    {"kty":"OKP","crv":"Ed25519","kid":"ed","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
    {"kty":"OKP","crv":"Ed25519","kid":"ed","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]})");
  EXPECT_EQ(errorOf(keySetFromJwks(dup.as_object())), AuthErrc::DuplicateKey);
  EXPECT_EQ(errorOf(keySetFromJwks(boost::json::object{})), AuthErrc::Malformed);
}

}  // namespace
}  // namespace latch::auth
