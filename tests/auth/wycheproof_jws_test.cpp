// Wycheproof JOSE vectors (json_web_signature_test.json, json_web_key_test.json) run through
// verifyCompactJws with key sets built from the groups' JWKs. Read in place from
// LATCH_WYCHEPROOF_DIR. The JSON-serialization case (tcId 17) is a string in the file and is
// run: the compact parser refuses it (Malformed), which is its expected "invalid".
#include <iostream>
#include <map>

#include <gtest/gtest.h>

#include "auth/compact_jws.hpp"
#include "auth/wycheproof.hpp"

namespace latch::auth {
namespace {

namespace json = boost::json;
using testing::loadWycheproof;
using testing::str;
using testing::VectorCounts;

constexpr std::size_t kMaxBytes = 8192;

// Vectors that cannot be honoured as written, with why.
const std::map<std::int64_t, std::string_view> kDefective = {
    // "invalidBase64Padding" / "...InPayload": byte-for-byte the valid tcId 357 (the padding
    // they were meant to carry is not in the file), so they can only verify.
    {367, "identical to valid tcId 357"},
    {370, "identical to valid tcId 357"},
};

// Vectors marked "valid" that we reject on purpose: they contain '?', which is not in the
// base64url alphabet, and Latch's base64url is strict (SPEC section 2).
const std::map<std::int64_t, std::string_view> kStricterThanVector = {
    {372, "'?' inside the header part"},
    {373, "'?' inside the payload part"},
};

// Algorithms of Wycheproof groups that this library does not implement: those groups are
// skipped whole (their "valid" tokens cannot verify here by design).
bool unimplemented(const json::object& jwk) {
  const json::value* alg = jwk.if_contains("alg");
  if (alg == nullptr || !alg->is_string()) return false;
  return !parseAlgorithm(std::string_view(alg->get_string().data(), alg->get_string().size()));
}

void report(std::string_view file, const VectorCounts& c) {
  std::cout << "[wycheproof] " << file << ": " << c.run << " run, " << c.skipped << " skipped\n";
  ::testing::Test::RecordProperty("run", c.run);
  ::testing::Test::RecordProperty("skipped", c.skipped);
}

// Runs one test against `keys` (or, when the keys were refused, requires it to be invalid).
void runCase(const json::object& t, const AuthResult<KeySet>& keys, VectorCounts& counts) {
  const auto id = t.at("tcId").as_int64();
  if (!t.at("jws").is_string()) {
    ++counts.skipped;  // a JSON-serialized JWS as an object: none in the current file
    return;
  }
  if (kDefective.contains(id)) {
    ++counts.skipped;
    return;
  }
  ++counts.run;
  bool expected = str(t.at("result")) == "valid";
  if (kStricterThanVector.contains(id)) expected = false;
  if (!keys) {
    EXPECT_FALSE(expected) << "tcId " << id << ": keys refused: " << keys.error().message;
    return;
  }
  auto r = verifyCompactJws(str(t.at("jws")), *keys, kMaxBytes);
  EXPECT_EQ(static_cast<bool>(r), expected)
      << "tcId " << id << " " << str(t.at("comment"))
      << (r ? std::string() : " -> " + std::string(authErrorName(r.error().code)));
}

TEST(Wycheproof, JsonWebSignature) {
  VectorCounts counts;
  int groupsRun = 0, groupsSkipped = 0;
  const json::value doc = loadWycheproof("json_web_signature_test.json");
  ASSERT_FALSE(doc.is_null());
  for (const auto& group : doc.at("testGroups").as_array()) {
    const auto& g = group.as_object();
    const auto& jwk =
        g.contains("public") ? g.at("public").as_object() : g.at("private").as_object();
    const auto& tests = g.at("tests").as_array();
    if (unimplemented(jwk)) {
      ++groupsSkipped;
      counts.skipped += static_cast<int>(tests.size());
      continue;
    }
    ++groupsRun;
    AuthResult<KeySet> keys = makeError(AuthErrc::InvalidKey, "");
    if (auto key = JwtKey::fromJwk(jwk)) {
      KeySet set;
      EXPECT_TRUE(set.add(std::move(*key)));
      keys = std::move(set);
    } else {
      keys = key.error();
    }
    for (const auto& test : tests) runCase(test.as_object(), keys, counts);
  }
  report("json_web_signature_test.json", counts);
  std::cout << "[wycheproof] json_web_signature_test.json: " << groupsRun << " groups run, "
            << groupsSkipped << " groups skipped (RS384, RS512, PS256/384/512, ES521)\n";
  EXPECT_EQ(counts.run, 314);
  EXPECT_EQ(counts.skipped, 87);
}

// Key-set vectors. Skipped: tcId 1 (the vector refuses a set mixing HMAC and EC keys; we
// allow it, since each kid binds its own algorithm and the token's alg must match it) and
// tcId 7 (ROCA-weak RSA moduli are not fingerprinted).
TEST(Wycheproof, JsonWebKey) {
  const std::map<std::int64_t, std::string_view> kPolicy = {
      {1, "mixed HMAC/EC key sets are allowed"}, {7, "no ROCA fingerprinting"}};
  VectorCounts counts;
  const json::value doc = loadWycheproof("json_web_key_test.json");
  ASSERT_FALSE(doc.is_null());
  for (const auto& group : doc.at("testGroups").as_array()) {
    const auto& g = group.as_object();
    const auto& set = g.contains("public") && !g.at("public").is_null()
                          ? g.at("public").as_object()
                          : g.at("private").as_object();
    const AuthResult<KeySet> keys = keySetFromJwks(set);
    for (const auto& test : g.at("tests").as_array()) {
      const auto& t = test.as_object();
      if (kPolicy.contains(t.at("tcId").as_int64())) {
        ++counts.skipped;
        continue;
      }
      runCase(t, keys, counts);
    }
  }
  report("json_web_key_test.json", counts);
  EXPECT_EQ(counts.run, 24);
  EXPECT_EQ(counts.skipped, 2);
}

}  // namespace
}  // namespace latch::auth
