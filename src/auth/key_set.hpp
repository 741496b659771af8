#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "auth/auth_error.hpp"
#include "auth/jwt_key.hpp"

namespace latch::auth {

// The keys tokens may be verified with, by kid (several at once during a rotation), and the
// one new tokens are signed with. Not synchronised: build it, then share it read-only; all
// const methods are thread-safe. To rotate, build a new set and swap it in.
class KeySet {
 public:
  KeySet() = default;
  KeySet(KeySet&&) noexcept = default;
  KeySet& operator=(KeySet&&) noexcept = default;

  // Adds `key`. DuplicateKey if a key with the same kid is already present (a kid must
  // name exactly one key, or "kid" would not bind the algorithm).
  [[nodiscard]] AuthResult<void> add(JwtKey key);

  // Marks the key with this kid as the signing key. UnknownKey if absent, InvalidKey if it
  // cannot sign (a public-only key).
  [[nodiscard]] AuthResult<void> setCurrent(std::string_view kid);

  // The key with this kid, or null. Valid while the set lives and is not modified.
  const JwtKey* find(std::string_view kid) const;

  // The signing key, or null if none was set.
  const JwtKey* current() const;

  // The only key when there is exactly one, else null (tokens without "kid").
  const JwtKey* single() const;

  std::size_t size() const { return keys_.size(); }
  bool empty() const { return keys_.empty(); }

  // {"keys":[...]} with the public JWK of every asymmetric key, for
  // /.well-known/jwks.json. HMAC keys are never included.
  boost::json::object jwks() const;

 private:
  std::map<std::string, JwtKey, std::less<>> keys_;
  std::string current_;
  bool hasCurrent_ = false;
};

// The keys of a JWK Set document (RFC 7517 section 5), e.g. an OpenID provider's jwks_uri.
// As RFC 7517 5 asks, keys of types, curves, algorithms or uses this library does not
// implement are ignored (counted in *ignored if given). Anything else wrong with a key (bad
// encoding, invalid point, weak key) or a repeated kid fails the whole set: a half-loaded
// set would hide the problem. Malformed if there is no "keys" array of objects.
[[nodiscard]] AuthResult<KeySet> keySetFromJwks(const boost::json::object& jwks,
                                                std::size_t* ignored = nullptr);

}  // namespace latch::auth
