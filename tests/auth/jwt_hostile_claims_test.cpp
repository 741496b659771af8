// Hostile tokens, part 2: claims (types, times, issuer, audience, subject). Each test checks
// the exact AuthErrc that JwtVerifier answers with.

#include <gtest/gtest.h>
#include <boost/json/serialize.hpp>

#include "auth/jwt_fixture.hpp"

namespace latch::auth {
namespace {

namespace json = boost::json;
using testing::JwtFixture;
using testing::kNow;
using testing::makeToken;

using HostileToken = JwtFixture;

// --- claims -------------------------------------------------------------------------------

TEST_F(HostileToken, MissingExpIsMissingExpiry) {
  auto c = JwtFixture::goodClaims();
  c.erase("exp");
  EXPECT_EQ(refusal(token("hs", c)), AuthErrc::MissingExpiry);
}

TEST_F(HostileToken, StringExpIsMissingExpiry) {
  auto c = JwtFixture::goodClaims();
  c["exp"] = std::to_string(kNow + 600);
  EXPECT_EQ(refusal(token("hs", c)), AuthErrc::MissingExpiry);
}

TEST_F(HostileToken, FractionalExpIsMissingExpiry) {
  auto c = JwtFixture::goodClaims();
  c["exp"] = static_cast<double>(kNow + 600) + 0.5;
  EXPECT_EQ(refusal(token("hs", c)), AuthErrc::MissingExpiry);
}

TEST_F(HostileToken, HugeExponentExpIsMalformed) {
  const std::string t =
      makeToken(key("hs"), R"({"alg":"HS256","kid":"hs"})",
                R"({"sub":"user-1","iss":"https://latch.test","aud":"latch","exp":1e400})");
  EXPECT_EQ(refusal(t), AuthErrc::Malformed);
}

TEST_F(HostileToken, ExpiredTokenIsExpired) {
  auto c = JwtFixture::goodClaims();
  c["exp"] = kNow - 3600;
  EXPECT_EQ(refusal(token("hs", c)), AuthErrc::Expired);
}

TEST_F(HostileToken, NbfInTheFutureIsNotYetValid) {
  auto c = JwtFixture::goodClaims();
  c["nbf"] = kNow + 300;
  EXPECT_EQ(refusal(token("hs", c)), AuthErrc::NotYetValid);
}

TEST_F(HostileToken, IatInTheFutureIsIssuedInFuture) {
  auto c = JwtFixture::goodClaims();
  c["iat"] = kNow + 300;
  EXPECT_EQ(refusal(token("hs", c)), AuthErrc::IssuedInFuture);
}

TEST_F(HostileToken, NonIntegerNbfIsMalformed) {
  auto c = JwtFixture::goodClaims();
  c["nbf"] = "yesterday";
  EXPECT_EQ(refusal(token("hs", c)), AuthErrc::Malformed);
}

TEST_F(HostileToken, WrongIssuerIsWrongIssuer) {
  auto c = JwtFixture::goodClaims();
  c["iss"] = "https://evil.test";
  EXPECT_EQ(refusal(token("hs", c)), AuthErrc::WrongIssuer);
}

TEST_F(HostileToken, MissingIssuerIsWrongIssuer) {
  auto c = JwtFixture::goodClaims();
  c.erase("iss");
  EXPECT_EQ(refusal(token("hs", c)), AuthErrc::WrongIssuer);
}

TEST_F(HostileToken, WrongAudienceIsWrongAudience) {
  auto c = JwtFixture::goodClaims();
  c["aud"] = "other-service";
  EXPECT_EQ(refusal(token("hs", c)), AuthErrc::WrongAudience);
}

TEST_F(HostileToken, AudienceArrayWithoutOursIsWrongAudience) {
  auto c = JwtFixture::goodClaims();
  c["aud"] = json::array{"a", "b", "LATCH"};
  EXPECT_EQ(refusal(token("hs", c)), AuthErrc::WrongAudience);
}

TEST_F(HostileToken, MissingAudienceIsWrongAudience) {
  auto c = JwtFixture::goodClaims();
  c.erase("aud");
  EXPECT_EQ(refusal(token("hs", c)), AuthErrc::WrongAudience);
}

TEST_F(HostileToken, AudienceOfWrongTypeIsMalformed) {
  auto c = JwtFixture::goodClaims();
  c["aud"] = json::array{"latch", 7};
  EXPECT_EQ(refusal(token("hs", c)), AuthErrc::Malformed);
}

TEST_F(HostileToken, MissingSubjectIsMissingClaim) {
  auto c = JwtFixture::goodClaims();
  c.erase("sub");
  EXPECT_EQ(refusal(token("hs", c)), AuthErrc::MissingClaim);
}

TEST_F(HostileToken, EmptySubjectIsMissingClaim) {
  auto c = JwtFixture::goodClaims();
  c["sub"] = "";
  EXPECT_EQ(refusal(token("hs", c)), AuthErrc::MissingClaim);
}

TEST_F(HostileToken, NumericSubjectIsMalformed) {
  auto c = JwtFixture::goodClaims();
  c["sub"] = 42;
  EXPECT_EQ(refusal(token("hs", c)), AuthErrc::Malformed);
}

TEST_F(HostileToken, RolesOfWrongTypeAreMalformed) {
  auto c = JwtFixture::goodClaims();
  c["roles"] = json::object{{"admin", true}};
  EXPECT_EQ(refusal(token("hs", c)), AuthErrc::Malformed);
}

TEST_F(HostileToken, ClaimsThatAreNotAnObjectAreMalformed) {
  EXPECT_EQ(refusal(makeToken(key("hs"), R"({"alg":"HS256","kid":"hs"})", "[]")),
            AuthErrc::Malformed);
  EXPECT_EQ(refusal(makeToken(key("hs"), R"({"alg":"HS256","kid":"hs"})", "not json")),
            AuthErrc::Malformed);
}

}  // namespace
}  // namespace latch::auth
