#include "auth/key_set.hpp"

#include <boost/json/array.hpp>

namespace latch::auth {
namespace json = boost::json;

AuthResult<void> KeySet::add(JwtKey key) {
  if (keys_.contains(key.kid())) {
    return makeError(AuthErrc::DuplicateKey, "Two keys have the same kid.");
  }
  std::string kid = key.kid();
  keys_.emplace(std::move(kid), std::move(key));
  return {};
}

AuthResult<void> KeySet::setCurrent(std::string_view kid) {
  const JwtKey* key = find(kid);
  if (key == nullptr) return makeError(AuthErrc::UnknownKey, "No key has this kid.");
  if (!key->canSign()) return makeError(AuthErrc::InvalidKey, "A public key cannot sign.");
  current_ = std::string(kid);
  hasCurrent_ = true;
  return {};
}

const JwtKey* KeySet::find(std::string_view kid) const {
  const auto it = keys_.find(kid);
  return it == keys_.end() ? nullptr : &it->second;
}

const JwtKey* KeySet::current() const { return hasCurrent_ ? find(current_) : nullptr; }

const JwtKey* KeySet::single() const {
  return keys_.size() == 1 ? &keys_.begin()->second : nullptr;
}

json::object KeySet::jwks() const {
  json::array keys;
  for (const auto& [kid, key] : keys_) {
    if (key.isHmacKey()) continue;
    if (auto jwk = key.toPublicJwk()) keys.emplace_back(std::move(*jwk));
  }
  json::object doc;
  doc["keys"] = std::move(keys);
  return doc;
}

AuthResult<KeySet> keySetFromJwks(const json::object& jwks, std::size_t* ignored) {
  const json::value* keys = jwks.if_contains("keys");
  if (keys == nullptr || !keys->is_array()) {
    return makeError(AuthErrc::Malformed, "A JWK Set needs a \"keys\" array.");
  }
  KeySet set;
  std::size_t skipped = 0;
  for (const json::value& entry : keys->get_array()) {
    if (!entry.is_object()) return makeError(AuthErrc::Malformed, "A JWK must be an object.");
    auto key = JwtKey::fromJwk(entry.get_object());
    if (!key && key.error().code == AuthErrc::UnsupportedAlgorithm) {
      ++skipped;
      continue;
    }
    if (!key) return key.error();
    if (auto added = set.add(std::move(*key)); !added) return added.error();
  }
  if (ignored != nullptr) *ignored = skipped;
  return set;
}

}  // namespace latch::auth
