#pragma once

#include <string_view>

#include "auth/auth_error.hpp"
#include "auth/jwt_verifier.hpp"
#include "auth/principal.hpp"

namespace latch::auth {

// Turns a request's bearer token into a Principal: MissingToken when there is none, else
// whatever JwtVerifier says. Thread-safe (const); the verifier must outlive it.
class Authenticator {
 public:
  explicit Authenticator(const JwtVerifier& verifier) : verifier_(verifier) {}

  [[nodiscard]] AuthResult<Principal> authenticate(std::string_view bearer) const;

 private:
  const JwtVerifier& verifier_;
};

}  // namespace latch::auth
