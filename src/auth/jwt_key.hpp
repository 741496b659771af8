#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "auth/auth_error.hpp"
#include "auth/jwt_algorithm.hpp"
#include "auth/openssl_ptr.hpp"

namespace latch::auth {

// One signing or verification key, bound to one algorithm: a token is only ever checked
// with the algorithm of the key its "kid" names. Holds either an HMAC secret (wiped on
// destruction) or an OpenSSL key (public, or private and public). Move-only. All const
// methods are thread-safe; the EVP_PKEY is only read.
class JwtKey {
 public:
  // An HMAC key. InvalidKey if `alg` is not HS256/384/512 or the secret is shorter than the
  // hash output (32/48/64 bytes, RFC 7518 3.2). The bytes are copied.
  [[nodiscard]] static AuthResult<JwtKey> fromHmacSecret(std::string kid, JwtAlgorithm alg,
                                                         std::span<const std::uint8_t> secret);

  // An asymmetric key from PEM: a private key (PKCS#8 or traditional) or a public key
  // (SubjectPublicKeyInfo). InvalidKey unless the key type fits `alg`: ES256 needs an EC key
  // on P-256, EdDSA an Ed25519 key, RS256 an RSA key of at least 2048 bits with an odd
  // exponent > 1. Encrypted PEM is refused (no passphrase prompt). Malformed if not PEM.
  [[nodiscard]] static AuthResult<JwtKey> fromPem(std::string kid, JwtAlgorithm alg,
                                                  std::string_view pem);

  // A verification key from a JWK (RFC 7517/7518/8037): kty EC (crv P-256, x, y), OKP
  // (crv Ed25519, x), RSA (n, e) or oct (k, with "alg" required). "alg", if present, must
  // be the algorithm implied by kty/crv; "use", if present, must be "sig"; "key_ops", if
  // present, must include "verify". Asymmetric JWKs carrying private members (d, p, ...)
  // are refused: this reads public keys only. UnsupportedAlgorithm for key types or
  // algorithms not implemented here, InvalidKey for bad points and weak keys, Malformed or
  // BadBase64 for bad encodings.
  [[nodiscard]] static AuthResult<JwtKey> fromJwk(const boost::json::object& jwk);

  // A new key from the CSPRNG: HMAC secrets of the hash size, P-256, Ed25519, or 2048-bit
  // RSA. Never fails except if OpenSSL does (InvalidKey).
  [[nodiscard]] static AuthResult<JwtKey> generate(std::string kid, JwtAlgorithm alg);

  JwtKey(JwtKey&& other) noexcept = default;
  JwtKey& operator=(JwtKey&& other) noexcept;
  ~JwtKey();

  const std::string& kid() const { return kid_; }
  JwtAlgorithm alg() const { return alg_; }
  bool isHmacKey() const { return isHmac(alg_); }
  // True if this key can sign: an HMAC secret, or an asymmetric key with its private part.
  bool canSign() const { return isHmacKey() || hasPrivate_; }

  // The HMAC secret (empty for asymmetric keys). Valid while this key lives.
  std::span<const std::uint8_t> hmacSecret() const { return secret_; }
  // The OpenSSL key (null for HMAC keys). Owned by this key; do not free.
  EVP_PKEY* pkey() const { return pkey_.get(); }

  // The public JWK with kty, crv/x/y, n/e, kid, alg and "use":"sig", for a JWKS document.
  // InvalidKey for HMAC keys: a shared secret is never published.
  [[nodiscard]] AuthResult<boost::json::object> toPublicJwk() const;

  // The private key as unencrypted PKCS#8 PEM, to store on disk (mode 0600 is the
  // caller's job). InvalidKey for HMAC keys and for public-only keys.
  [[nodiscard]] AuthResult<std::string> toPem() const;

 private:
  JwtKey(std::string kid, JwtAlgorithm alg) : kid_(std::move(kid)), alg_(alg) {}

  // Takes `pkey` if its type, curve and size fit `alg` (the checks of fromPem).
  static AuthResult<JwtKey> fromPkey(std::string kid, JwtAlgorithm alg, PkeyPtr pkey,
                                     bool hasPrivate);
  void wipe();

  std::string kid_;
  JwtAlgorithm alg_;
  std::vector<std::uint8_t> secret_;
  PkeyPtr pkey_;
  bool hasPrivate_ = false;
};

}  // namespace latch::auth
