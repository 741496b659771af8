#include "auth/token_issuer.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include "auth/auth_test_support.hpp"
#include "auth/jwt_verifier.hpp"
#include "auth/session_key.hpp"

namespace latch::auth {
namespace {

class TokenIssuerTest : public ::testing::Test {
 protected:
  TokenIssuerTest() : clock(1'764'405'600) {
    secret.assign(32, 7);
    envelope.assign(32, 9);
    EXPECT_TRUE(keys.add(*JwtKey::fromHmacSecret("k1", JwtAlgorithm::HS256, secret)));
    EXPECT_TRUE(keys.setCurrent("k1"));
  }

  std::vector<std::uint8_t> secret;
  std::vector<std::uint8_t> envelope;
  KeySet keys;
  testing::FakeWallClock clock;
};

TEST_F(TokenIssuerTest, IssuedTokenVerifiesWithItsClaims) {
  TokenIssuer issuer(keys, envelope, "latch", "latch", clock);
  auto token = issuer.issue("alice", {"user"}, 600);
  ASSERT_TRUE(token) << token.error().message;
  JwtVerifier verifier(JwtOptions{"latch", {"latch"}}, keys, clock);
  auto claims = verifier.verify(token->accessToken);
  ASSERT_TRUE(claims) << claims.error().message;
  EXPECT_EQ(claims->sub, "alice");
  EXPECT_EQ(claims->roles, std::vector<std::string>{"user"});
  EXPECT_EQ(claims->exp, 1'764'405'600 + 600);
  EXPECT_EQ(claims->iat, 1'764'405'600);
  EXPECT_EQ(claims->jti, token->jti);
  EXPECT_EQ(token->jti.size(), 22u);
  EXPECT_EQ(token->expiresIn, 600);
  EXPECT_EQ(token->sessionKey, sessionKey(envelope, token->jti));
}

TEST_F(TokenIssuerTest, EveryTokenHasItsOwnIdAndSessionKey) {
  TokenIssuer issuer(keys, envelope, "latch", "latch", clock);
  auto a = issuer.issue("alice", {"user"}, 600);
  auto b = issuer.issue("alice", {"user"}, 600);
  EXPECT_NE(a->jti, b->jti);
  EXPECT_NE(a->sessionKey, b->sessionKey);
}

TEST_F(TokenIssuerTest, ExpiresAfterItsLifetime) {
  TokenIssuer issuer(keys, envelope, "latch", "latch", clock);
  auto token = issuer.issue("bob", {"device"}, 60);
  JwtOptions options{"latch", {"latch"}};
  options.clockSkewSeconds = 0;
  JwtVerifier verifier(options, keys, clock);
  EXPECT_TRUE(verifier.verify(token->accessToken));
  clock.setSeconds(1'764'405'600 + 60);
  auto r = verifier.verify(token->accessToken);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, AuthErrc::Expired);
}

TEST_F(TokenIssuerTest, RefusesEmptySubjectAndNonPositiveLifetime) {
  TokenIssuer issuer(keys, envelope, "latch", "latch", clock);
  EXPECT_FALSE(issuer.issue("", {"user"}, 600));
  EXPECT_FALSE(issuer.issue("alice", {"user"}, 0));
}

TEST_F(TokenIssuerTest, ResponseJsonHasTheSpecFields) {
  TokenIssuer issuer(keys, envelope, "latch", "latch", clock);
  auto token = issuer.issue("alice", {"admin"}, 900);
  auto doc = boost::json::parse(tokenResponseJson(*token)).as_object();
  EXPECT_EQ(doc.at("access_token").as_string(), token->accessToken);
  EXPECT_EQ(doc.at("token_type").as_string(), "Bearer");
  EXPECT_EQ(doc.at("expires_in").as_int64(), 900);
  EXPECT_EQ(doc.at("session_key").as_string(), token->sessionKey);
  EXPECT_EQ(doc.size(), 4u);
}

}  // namespace
}  // namespace latch::auth
