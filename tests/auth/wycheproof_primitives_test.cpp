// Wycheproof vectors for the primitives under the JWS algorithms, run through jwsSign and
// jwsVerify with keys loaded by JwtKey. Files are read in place from LATCH_WYCHEPROOF_DIR.
#include <iostream>

#include <gtest/gtest.h>

#include "auth/auth_test_support.hpp"
#include "auth/wycheproof.hpp"

namespace latch::auth {
namespace {

namespace json = boost::json;
using testing::hexDecode;
using testing::loadWycheproof;
using testing::str;
using testing::textOf;
using testing::VectorCounts;

void report(std::string_view file, const VectorCounts& c) {
  std::cout << "[wycheproof] " << file << ": " << c.run << " run, " << c.skipped << " skipped\n";
  ::testing::Test::RecordProperty("run", c.run);
  ::testing::Test::RecordProperty("skipped", c.skipped);
}

// Runs every test of a signature-verification file against the group's PEM public key:
// "valid" must verify, "invalid" must not; "acceptable" is run and either outcome allowed.
VectorCounts runSignatureFile(const std::string& file, JwtAlgorithm alg) {
  VectorCounts counts;
  const json::value doc = loadWycheproof(file);
  EXPECT_FALSE(doc.is_null()) << "missing " << file;
  if (doc.is_null()) return counts;
  for (const auto& group : doc.at("testGroups").as_array()) {
    const auto& g = group.as_object();
    auto key = JwtKey::fromPem("w", alg, str(g.at("publicKeyPem")));
    for (const auto& test : g.at("tests").as_array()) {
      const auto& t = test.as_object();
      const std::string result = str(t.at("result"));
      const auto msg = hexDecode(str(t.at("msg")));
      const auto sig = hexDecode(str(t.at("sig")));
      ++counts.run;
      if (!key) {
        // Only a group of invalid signatures may have a key that we refuse.
        EXPECT_EQ(result, "invalid") << file << " tcId " << t.at("tcId").as_int64()
                                     << ": key refused: " << key.error().message;
        continue;
      }
      const bool ok = static_cast<bool>(jwsVerify(*key, textOf(msg), sig));
      if (result == "acceptable") continue;
      EXPECT_EQ(ok, result == "valid")
          << file << " tcId " << t.at("tcId").as_int64() << " " << str(t.at("comment"));
    }
  }
  return counts;
}

TEST(Wycheproof, EcdsaP256Sha256P1363) {
  const auto c = runSignatureFile("ecdsa_secp256r1_sha256_p1363_test.json", JwtAlgorithm::ES256);
  report("ecdsa_secp256r1_sha256_p1363_test.json", c);
  EXPECT_EQ(c.run, 262);
}

TEST(Wycheproof, Ed25519) {
  const auto c = runSignatureFile("ed25519_test.json", JwtAlgorithm::EdDSA);
  report("ed25519_test.json", c);
  EXPECT_EQ(c.run, 151);
}

TEST(Wycheproof, RsaPkcs1v15Sha256With2048BitKeys) {
  const auto c = runSignatureFile("rsa_signature_2048_sha256_test.json", JwtAlgorithm::RS256);
  report("rsa_signature_2048_sha256_test.json", c);
  EXPECT_EQ(c.run, 259);
}

// HMAC-SHA256 through an HS256 key. Two kinds of vector do not fit JWS and are handled
// apart: 128-bit keys, which fromHmacSecret must refuse (RFC 7518 3.2 asks for at least
// the hash size), and 128-bit truncated tags, which JWS never uses, so they are checked as
// prefixes of our full tag while jwsVerify must refuse them.
TEST(Wycheproof, HmacSha256) {
  VectorCounts counts;
  const json::value doc = loadWycheproof("hmac_sha256_test.json");
  ASSERT_FALSE(doc.is_null());
  for (const auto& group : doc.at("testGroups").as_array()) {
    const auto& g = group.as_object();
    const auto tagBytes = static_cast<std::size_t>(g.at("tagSize").as_int64() / 8);
    for (const auto& test : g.at("tests").as_array()) {
      const auto& t = test.as_object();
      const auto id = t.at("tcId").as_int64();
      const bool valid = str(t.at("result")) == "valid";
      const auto secret = hexDecode(str(t.at("key")));
      const auto msg = hexDecode(str(t.at("msg")));
      const auto tag = hexDecode(str(t.at("tag")));
      auto key = JwtKey::fromHmacSecret("w", JwtAlgorithm::HS256, secret);
      if (secret.size() < 32) {
        EXPECT_FALSE(key) << "tcId " << id;
        ++counts.skipped;
        continue;
      }
      ASSERT_TRUE(key) << "tcId " << id;
      ++counts.run;
      auto full = jwsSign(*key, textOf(msg));
      ASSERT_TRUE(full);
      const bool prefixMatches = std::equal(tag.begin(), tag.end(), full->begin());
      EXPECT_EQ(prefixMatches, valid) << "tcId " << id;
      const bool verified = static_cast<bool>(jwsVerify(*key, textOf(msg), tag));
      EXPECT_EQ(verified, valid && tagBytes == 32) << "tcId " << id;
    }
  }
  report("hmac_sha256_test.json", counts);
  EXPECT_EQ(counts.run, 168);
  EXPECT_EQ(counts.skipped, 6);
}

}  // namespace
}  // namespace latch::auth
