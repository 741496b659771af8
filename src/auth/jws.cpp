#include "auth/jws.hpp"

#include <algorithm>
#include <array>
#include <climits>
#include <cstring>
#include <optional>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/hmac.h>
#include <openssl/rsa.h>

namespace latch::auth {
namespace {

using Bytes = std::vector<std::uint8_t>;

constexpr std::size_t kEs256Half = 32;
constexpr std::size_t kEd25519SigBytes = 64;

// The order n of the P-256 group, big-endian: r and s must lie in [1, n-1].
constexpr std::array<std::uint8_t, kEs256Half> kP256Order = {
    0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51};

AuthError badSignature() {
  return makeError(AuthErrc::BadSignature, "Token signature is invalid.");
}

AuthError signFailed() {
  ERR_clear_error();
  return makeError(AuthErrc::InvalidKey, "Signing failed.");
}

// OpenSSL may treat a null pointer as an error even with length 0.
const unsigned char* bytesOf(std::string_view s) {
  static const unsigned char kEmpty = 0;
  return s.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(s.data());
}

const EVP_MD* digestOf(JwtAlgorithm alg) {
  switch (alg) {
    case JwtAlgorithm::HS256:
    case JwtAlgorithm::ES256:
    case JwtAlgorithm::RS256:
      return EVP_sha256();
    case JwtAlgorithm::HS384:
      return EVP_sha384();
    case JwtAlgorithm::HS512:
      return EVP_sha512();
    case JwtAlgorithm::EdDSA:
      return nullptr;  // Ed25519 hashes internally (RFC 8032)
  }
  return nullptr;
}

AuthResult<Bytes> hmac(const JwtKey& key, std::string_view input) {
  Bytes tag(EVP_MAX_MD_SIZE);
  unsigned int len = 0;
  const auto secret = key.hmacSecret();
  if (HMAC(digestOf(key.alg()), secret.data(), static_cast<int>(secret.size()), bytesOf(input),
           input.size(), tag.data(), &len) == nullptr) {
    return signFailed();
  }
  tag.resize(len);
  return tag;
}

// Starts a sign or verify operation with the key's digest and, for RSA, PKCS#1 v1.5
// padding set explicitly rather than left to the default.
MdCtxPtr digestContext(const JwtKey& key, bool sign) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (!ctx) return nullptr;
  const EVP_MD* md = digestOf(key.alg());
  const int ok = sign ? EVP_DigestSignInit(ctx.get(), &pctx, md, nullptr, key.pkey())
                      : EVP_DigestVerifyInit(ctx.get(), &pctx, md, nullptr, key.pkey());
  if (ok != 1) return nullptr;
  if (key.alg() == JwtAlgorithm::RS256 &&
      EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1) {
    return nullptr;
  }
  return ctx;
}

AuthResult<Bytes> digestSign(const JwtKey& key, std::string_view input) {
  MdCtxPtr ctx = digestContext(key, true);
  std::size_t len = 0;
  if (!ctx || EVP_DigestSign(ctx.get(), nullptr, &len, bytesOf(input), input.size()) != 1) {
    return signFailed();
  }
  Bytes sig(len);
  if (EVP_DigestSign(ctx.get(), sig.data(), &len, bytesOf(input), input.size()) != 1) {
    return signFailed();
  }
  sig.resize(len);
  return sig;
}

bool digestVerify(const JwtKey& key, std::string_view input, std::span<const std::uint8_t> sig) {
  MdCtxPtr ctx = digestContext(key, false);
  const bool ok =
      ctx && EVP_DigestVerify(ctx.get(), sig.data(), sig.size(), bytesOf(input), input.size()) == 1;
  ERR_clear_error();
  return ok;
}

// DER ECDSA-Sig-Value (what OpenSSL signs) to the JWS form: r and s, 32 bytes each.
AuthResult<Bytes> derToJose(const Bytes& der) {
  const unsigned char* p = der.data();
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig) return signFailed();
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  Bytes out(2 * kEs256Half);
  if (BN_bn2binpad(r, out.data(), kEs256Half) < 0 ||
      BN_bn2binpad(s, out.data() + kEs256Half, kEs256Half) < 0) {
    return signFailed();
  }
  return out;
}

bool inScalarRange(std::span<const std::uint8_t> v) {
  const bool zero = std::all_of(v.begin(), v.end(), [](std::uint8_t b) { return b == 0; });
  // Fixed-width big-endian numbers compare like their bytes.
  const bool belowOrder =
      std::lexicographical_compare(v.begin(), v.end(), kP256Order.begin(), kP256Order.end());
  return !zero && belowOrder;
}

// The JWS form r||s to DER, after checking the length and 0 < r, s < n.
std::optional<Bytes> joseToDer(std::span<const std::uint8_t> jose) {
  if (jose.size() != 2 * kEs256Half) return std::nullopt;
  const auto r = jose.first(kEs256Half);
  const auto s = jose.last(kEs256Half);
  if (!inScalarRange(r) || !inScalarRange(s)) return std::nullopt;
  EcdsaSigPtr sig(ECDSA_SIG_new());
  BignumPtr br(BN_bin2bn(r.data(), kEs256Half, nullptr));
  BignumPtr bs(BN_bin2bn(s.data(), kEs256Half, nullptr));
  if (!sig || !br || !bs || ECDSA_SIG_set0(sig.get(), br.get(), bs.get()) != 1) {
    return std::nullopt;
  }
  br.release();  // owned by sig now
  bs.release();
  const int len = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (len <= 0) return std::nullopt;
  Bytes der(static_cast<std::size_t>(len));
  unsigned char* p = der.data();
  if (i2d_ECDSA_SIG(sig.get(), &p) != len) return std::nullopt;
  return der;
}

}  // namespace

AuthResult<Bytes> jwsSign(const JwtKey& key, std::string_view signingInput) {
  if (!key.canSign()) return makeError(AuthErrc::InvalidKey, "Key cannot sign.");
  if (key.isHmacKey()) return hmac(key, signingInput);
  auto sig = digestSign(key, signingInput);
  if (!sig || key.alg() != JwtAlgorithm::ES256) return sig;
  return derToJose(*sig);
}

AuthResult<void> jwsVerify(const JwtKey& key, std::string_view signingInput,
                           std::span<const std::uint8_t> signature) {
  if (key.isHmacKey()) {
    auto tag = hmac(key, signingInput);
    if (!tag) return badSignature();
    // The length of a tag is public; only its bytes are compared in constant time.
    const bool match = tag->size() == signature.size() &&
                       CRYPTO_memcmp(tag->data(), signature.data(), tag->size()) == 0;
    OPENSSL_cleanse(tag->data(), tag->size());  // the valid tag for a forger's input
    if (!match) return badSignature();
    return {};
  }
  switch (key.alg()) {
    case JwtAlgorithm::ES256: {
      const auto der = joseToDer(signature);
      if (!der || !digestVerify(key, signingInput, *der)) return badSignature();
      return {};
    }
    case JwtAlgorithm::EdDSA:
      if (signature.size() != kEd25519SigBytes) return badSignature();
      break;
    case JwtAlgorithm::RS256:
      if (signature.size() != static_cast<std::size_t>(EVP_PKEY_get_size(key.pkey()))) {
        return badSignature();
      }
      break;
    default:
      return badSignature();
  }
  if (!digestVerify(key, signingInput, signature)) return badSignature();
  return {};
}

}  // namespace latch::auth
