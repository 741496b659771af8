#pragma once

#include <string>
#include <string_view>

#include <gtest/gtest.h>
#include <boost/json/object.hpp>

#include "auth/auth_test_support.hpp"
#include "auth/jwt_verifier.hpp"
#include "auth/key_set.hpp"

namespace latch::auth::testing {

inline constexpr std::int64_t kNow = 1'764'405'600;  // 2025-11-29T08:40:00Z
inline constexpr std::string_view kIssuer = "https://latch.test";

// A verifier over four keys, one per algorithm family ("hs", "es", "ed", "rs"), with a
// clock fixed at kNow, issuer kIssuer, audience "latch" and 30 s of skew.
class JwtFixture : public ::testing::Test {
 public:
  JwtFixture() : clock_(kNow) {
    addGenerated("hs", JwtAlgorithm::HS256);
    addGenerated("es", JwtAlgorithm::ES256);
    addGenerated("ed", JwtAlgorithm::EdDSA);
    // RSA generation is slow: reuse the binary's shared key under another kid.
    auto rs = JwtKey::fromPem("rs", JwtAlgorithm::RS256, *sharedKey(JwtAlgorithm::RS256).toPem());
    EXPECT_TRUE(rs);
    EXPECT_TRUE(keys_.add(std::move(*rs)));
  }

  JwtOptions options() const {
    JwtOptions o;
    o.issuer = std::string(kIssuer);
    o.audiences = {"latch"};
    return o;
  }

  JwtVerifier verifier() const { return JwtVerifier(options(), keys_, clock_); }

  const JwtKey& key(std::string_view kid) const { return *keys_.find(kid); }

  // Claims that pass every check.
  static boost::json::object goodClaims() {
    return {{"iss", kIssuer},  {"aud", "latch"},  {"sub", "user-1"}, {"exp", kNow + 600},
            {"nbf", kNow - 5}, {"iat", kNow - 5}, {"jti", "jti-1"},  {"roles", {"user"}}};
  }

  static boost::json::object header(std::string_view alg, std::string_view kid) {
    return {{"alg", alg}, {"typ", "JWT"}, {"kid", kid}};
  }

  // A token signed by the key `kid` with a matching header.
  std::string token(std::string_view kid, const boost::json::object& claims) const {
    const JwtKey& k = key(kid);
    return makeToken(k, header(algorithmName(k.alg()), kid), claims);
  }

  // The code of a refusal; also checks that its message quotes no part of the token.
  AuthErrc refusal(std::string_view token) const { return refusalBy(verifier(), token); }

  static AuthErrc refusalBy(const JwtVerifier& v, std::string_view token) {
    auto r = v.verify(token);
    EXPECT_FALSE(r) << "accepted";
    if (r) return AuthErrc::Revoked;
    const std::string& message = r.error().message;
    std::size_t start = 0;
    while (start <= token.size()) {
      std::size_t dot = token.find('.', start);
      if (dot == std::string_view::npos) dot = token.size();
      const std::string_view part = token.substr(start, dot - start);
      if (part.size() >= 4) {
        EXPECT_EQ(message.find(part), std::string::npos) << "message quotes the token";
      }
      start = dot + 1;
    }
    return r.error().code;
  }

  void addGenerated(std::string kid, JwtAlgorithm alg) {
    auto k = JwtKey::generate(std::move(kid), alg);
    EXPECT_TRUE(k);
    EXPECT_TRUE(keys_.add(std::move(*k)));
  }

  FakeWallClock clock_;
  KeySet keys_;
};

// The parts of a compact token.
struct TokenParts {
  std::string header, payload, signature;

  static TokenParts of(std::string_view token) {
    const auto a = token.find('.');
    const auto b = token.find('.', a + 1);
    return {std::string(token.substr(0, a)), std::string(token.substr(a + 1, b - a - 1)),
            std::string(token.substr(b + 1))};
  }
  std::string join() const { return header + "." + payload + "." + signature; }
};

}  // namespace latch::auth::testing
