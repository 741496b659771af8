#include "auth/jwt_key.hpp"

#include <climits>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "common/random.hpp"

namespace latch::auth {
namespace {

// RSA keys above this are refused: verification cost grows with the modulus, and no
// issuer needs more.
constexpr int kMaxRsaBits = 8192;
constexpr int kMinRsaBits = 2048;

AuthError invalidKey(std::string message) {
  return makeError(AuthErrc::InvalidKey, std::move(message));
}

// Refuses to prompt on the terminal for the passphrase of an encrypted PEM.
int noPassphrase(char*, int, int, void*) { return -1; }

bool isP256(EVP_PKEY* pkey) {
  char name[64] = {};
  std::size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof(name), &len) !=
      1) {
    return false;  // explicit curve parameters: never accepted
  }
  return std::string_view(name, len) == "prime256v1";
}

bool ecPublicKeyIsValid(EVP_PKEY* pkey) {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  return ctx && EVP_PKEY_public_check(ctx.get()) == 1;
}

AuthResult<void> checkRsa(EVP_PKEY* pkey) {
  const int bits = EVP_PKEY_get_bits(pkey);
  if (bits < kMinRsaBits) return invalidKey("RSA keys must have at least 2048 bits.");
  if (bits > kMaxRsaBits) return invalidKey("RSA keys above 8192 bits are not accepted.");
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &raw) != 1) {
    return invalidKey("RSA key has no public exponent.");
  }
  BignumPtr e(raw);
  if (!BN_is_odd(e.get()) || BN_is_one(e.get())) {
    return invalidKey("RSA public exponent must be odd and greater than 1.");
  }
  return {};
}

AuthResult<void> checkKeyType(JwtAlgorithm alg, EVP_PKEY* pkey) {
  const int id = EVP_PKEY_get_base_id(pkey);
  switch (alg) {
    case JwtAlgorithm::ES256:
      if (id != EVP_PKEY_EC || !isP256(pkey)) return invalidKey("ES256 needs a P-256 EC key.");
      if (!ecPublicKeyIsValid(pkey)) return invalidKey("EC public key is not a valid point.");
      return {};
    case JwtAlgorithm::EdDSA:
      if (id != EVP_PKEY_ED25519) return invalidKey("EdDSA needs an Ed25519 key.");
      return {};
    case JwtAlgorithm::RS256:
      if (id != EVP_PKEY_RSA) return invalidKey("RS256 needs an RSA key.");
      return checkRsa(pkey);
    default:
      return invalidKey("HMAC keys are secrets, not PEM keys.");
  }
}

PkeyPtr readPem(std::string_view pem, bool privateKey) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return nullptr;
  EVP_PKEY* key = privateKey ? PEM_read_bio_PrivateKey(bio.get(), nullptr, noPassphrase, nullptr)
                             : PEM_read_bio_PUBKEY(bio.get(), nullptr, noPassphrase, nullptr);
  return PkeyPtr(key);
}

PkeyPtr generatePkey(JwtAlgorithm alg) {
  switch (alg) {
    case JwtAlgorithm::ES256:
      return PkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    case JwtAlgorithm::EdDSA:
      return PkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
    case JwtAlgorithm::RS256:
      return PkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{kMinRsaBits}));
    default:
      return nullptr;
  }
}

}  // namespace

JwtKey& JwtKey::operator=(JwtKey&& other) noexcept {
  if (this != &other) {
    wipe();
    kid_ = std::move(other.kid_);
    alg_ = other.alg_;
    secret_ = std::move(other.secret_);
    pkey_ = std::move(other.pkey_);
    hasPrivate_ = other.hasPrivate_;
  }
  return *this;
}

JwtKey::~JwtKey() { wipe(); }

void JwtKey::wipe() {
  if (!secret_.empty()) OPENSSL_cleanse(secret_.data(), secret_.size());
}

AuthResult<JwtKey> JwtKey::fromHmacSecret(std::string kid, JwtAlgorithm alg,
                                          std::span<const std::uint8_t> secret) {
  if (!isHmac(alg)) return invalidKey("A secret can only be an HMAC key.");
  if (secret.size() < hmacOutputSize(alg)) {
    return invalidKey("HMAC secret is shorter than the hash output.");
  }
  JwtKey key(std::move(kid), alg);
  key.secret_.assign(secret.begin(), secret.end());
  return key;
}

AuthResult<JwtKey> JwtKey::fromPkey(std::string kid, JwtAlgorithm alg, PkeyPtr pkey,
                                    bool hasPrivate) {
  if (!pkey) return invalidKey("No key.");
  if (auto ok = checkKeyType(alg, pkey.get()); !ok) {
    ERR_clear_error();  // the checks may leave entries on this thread's error queue
    return ok.error();
  }
  JwtKey key(std::move(kid), alg);
  key.pkey_ = std::move(pkey);
  key.hasPrivate_ = hasPrivate;
  return key;
}

AuthResult<JwtKey> JwtKey::fromPem(std::string kid, JwtAlgorithm alg, std::string_view pem) {
  if (isHmac(alg)) return invalidKey("HMAC keys are secrets, not PEM keys.");
  if (pem.size() > INT_MAX) return makeError(AuthErrc::TooLarge, "PEM text is too large.");
  bool hasPrivate = true;
  PkeyPtr pkey = readPem(pem, true);
  if (!pkey) {
    hasPrivate = false;
    pkey = readPem(pem, false);
  }
  ERR_clear_error();  // failed attempts leave entries on this thread's error queue
  if (!pkey) return makeError(AuthErrc::Malformed, "Not an unencrypted PEM key.");
  return fromPkey(std::move(kid), alg, std::move(pkey), hasPrivate);
}

AuthResult<JwtKey> JwtKey::generate(std::string kid, JwtAlgorithm alg) {
  if (isHmac(alg)) {
    std::vector<std::uint8_t> secret(hmacOutputSize(alg));
    secureRandom(secret);
    auto key = fromHmacSecret(std::move(kid), alg, secret);
    OPENSSL_cleanse(secret.data(), secret.size());
    return key;
  }
  PkeyPtr pkey = generatePkey(alg);
  if (!pkey) {
    ERR_clear_error();
    return invalidKey("Key generation failed.");
  }
  return fromPkey(std::move(kid), alg, std::move(pkey), true);
}

AuthResult<std::string> JwtKey::toPem() const {
  if (!pkey_ || !hasPrivate_) return invalidKey("Only private asymmetric keys have a PEM form.");
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), pkey_.get(), nullptr, nullptr, 0, nullptr,
                                       nullptr) != 1) {
    ERR_clear_error();
    return invalidKey("Key could not be written as PEM.");
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  std::string pem(data, static_cast<std::size_t>(len));
  OPENSSL_cleanse(data, static_cast<std::size_t>(len));
  return pem;
}

}  // namespace latch::auth
