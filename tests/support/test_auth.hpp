#pragma once

#include <memory>
#include <string>
#include <vector>

#include "auth/authenticator.hpp"
#include "auth/jwt_verifier.hpp"
#include "auth/key_set.hpp"
#include "auth/principal.hpp"
#include "auth/revocation_list.hpp"
#include "auth/token_issuer.hpp"
#include "common/wall_clock.hpp"

namespace latch::testing {

// A wall clock the test sets.
class ManualWallClock final : public WallClock {
 public:
  std::int64_t nowMillis() const override { return millis_.load(); }
  void setSeconds(std::int64_t s) { millis_ = s * 1000; }
  void advanceMillis(std::int64_t ms) { millis_ += ms; }

 private:
  std::atomic<std::int64_t> millis_{1'764'405'600'000};
};

// A complete token setup for tests: an HS256 key, a verifier, an authenticator and an
// issuer, all on a manual wall clock.
struct TestAuth {
  TestAuth() {
    std::vector<std::uint8_t> secret(32, 0x5a);
    (void)keys.add(*auth::JwtKey::fromHmacSecret("test", auth::JwtAlgorithm::HS256, secret));
    (void)keys.setCurrent("test");
    auth::JwtOptions options;
    options.issuer = "latch";
    options.audiences = {"latch"};
    options.clockSkewSeconds = 0;
    verifier = std::make_unique<auth::JwtVerifier>(options, keys, wall);
    authenticator = std::make_unique<auth::Authenticator>(*verifier, auth::AuthenticatorOptions{},
                                                          &revocations);
    issuer = std::make_unique<auth::TokenIssuer>(keys, envelope, "latch", "latch", wall);
  }

  std::string token(const std::string& sub, std::vector<std::string> roles = {"user"},
                    std::int64_t ttl = 600) {
    return issuer->issue(sub, roles, ttl)->accessToken;
  }

  std::shared_ptr<const auth::Principal> principal(const std::string& sub,
                                                   std::vector<std::string> roles = {"user"},
                                                   std::int64_t ttl = 600) {
    return std::make_shared<const auth::Principal>(
        *authenticator->authenticate(token(sub, std::move(roles), ttl)));
  }

  // Revokes the token with id `jti` / every token of `sub` issued until now (seconds).
  void revokeToken(const std::string& jti) {
    current.tokenIds.push_back(jti);
    ++current.revision;
    revocations.replace(current);
  }
  void revokeSubject(const std::string& sub) {
    current.subjectEpochs.emplace_back(sub, wall.nowSeconds());
    ++current.revision;
    revocations.replace(current);
  }

  ManualWallClock wall;
  auth::RevocationList revocations;
  store::Revocations current;
  std::vector<std::uint8_t> envelope = std::vector<std::uint8_t>(32, 0x11);
  auth::KeySet keys;
  std::unique_ptr<auth::JwtVerifier> verifier;
  std::unique_ptr<auth::Authenticator> authenticator;
  std::unique_ptr<auth::TokenIssuer> issuer;
};

}  // namespace latch::testing
