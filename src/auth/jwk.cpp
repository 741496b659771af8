// JwtKey::fromJwk and JwtKey::toPublicJwk: the JSON Web Key forms of a key (RFC 7517,
// RFC 7518 section 6, RFC 8037).
#include "auth/jwt_key.hpp"

#include <array>
#include <optional>

#include <openssl/core_names.h>
#include <openssl/err.h>

#include "common/base64url.hpp"

namespace latch::auth {
namespace json = boost::json;

namespace {

using Bytes = std::vector<std::uint8_t>;

constexpr std::size_t kP256CoordinateBytes = 32;
constexpr std::size_t kEd25519KeyBytes = 32;

// Members that only a private JWK has: refused, since JWKS documents hold public keys.
constexpr std::array<std::string_view, 7> kPrivateMembers = {"d",  "p",  "q",  "dp",
                                                             "dq", "qi", "oth"};

AuthError malformed(std::string message) {
  return makeError(AuthErrc::Malformed, std::move(message));
}

AuthResult<std::optional<std::string_view>> optionalString(const json::object& jwk,
                                                           std::string_view name) {
  const json::value* v = jwk.if_contains(name);
  if (v == nullptr) return std::optional<std::string_view>{};
  if (!v->is_string()) return malformed("A JWK member has the wrong type.");
  const json::string& s = v->get_string();
  return std::optional<std::string_view>(std::string_view(s.data(), s.size()));
}

AuthResult<Bytes> requiredBytes(const json::object& jwk, std::string_view name) {
  auto text = optionalString(jwk, name);
  if (!text) return text.error();
  if (!*text) return malformed("A required JWK member is missing.");
  auto bytes = base64urlDecode(**text);
  if (!bytes) return makeError(AuthErrc::BadBase64, "A JWK member is not strict base64url.");
  return std::move(*bytes);
}

// "use" and "key_ops" (RFC 7517 4.2, 4.3): a key meant for anything but signatures is not
// a key this library can use.
AuthResult<void> checkUsage(const json::object& jwk) {
  auto use = optionalString(jwk, "use");
  if (!use) return use.error();
  if (*use && **use != "sig") {
    return makeError(AuthErrc::UnsupportedAlgorithm, "JWK is not a signature key.");
  }
  const json::value* ops = jwk.if_contains("key_ops");
  if (ops == nullptr) return {};
  if (!ops->is_array()) return malformed("JWK key_ops must be an array of strings.");
  bool verify = false;
  for (const json::value& op : ops->get_array()) {
    if (!op.is_string()) return malformed("JWK key_ops must be an array of strings.");
    verify = verify || op.get_string() == "verify";
  }
  if (!verify) return makeError(AuthErrc::UnsupportedAlgorithm, "JWK is not for verification.");
  return {};
}

// The algorithm of the key: "alg" when present (it must be `implied`, if one is implied by
// kty/crv), else `implied`.
AuthResult<JwtAlgorithm> keyAlgorithm(const json::object& jwk,
                                      std::optional<JwtAlgorithm> implied) {
  auto name = optionalString(jwk, "alg");
  if (!name) return name.error();
  if (!*name) {
    if (!implied) return makeError(AuthErrc::InvalidKey, "An oct JWK must name its \"alg\".");
    return *implied;
  }
  const auto alg = parseAlgorithm(**name);
  if (!alg) return makeError(AuthErrc::UnsupportedAlgorithm, "JWK algorithm is not supported.");
  if (implied ? *alg != *implied : !isHmac(*alg)) {
    return makeError(AuthErrc::InvalidKey, "JWK \"alg\" does not fit its key type.");
  }
  return *alg;
}

AuthResult<PkeyPtr> fromParams(const char* type, OSSL_PARAM_BLD* bld) {
  ParamsPtr params(OSSL_PARAM_BLD_to_param(bld));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    ERR_clear_error();
    return makeError(AuthErrc::InvalidKey, "JWK is not a valid public key.");
  }
  return PkeyPtr(raw);
}

AuthResult<PkeyPtr> ecKey(const json::object& jwk) {
  auto crv = optionalString(jwk, "crv");
  if (!crv) return crv.error();
  if (!*crv) return malformed("EC JWK has no \"crv\".");
  if (**crv != "P-256")
    return makeError(AuthErrc::UnsupportedAlgorithm, "Only P-256 is supported.");
  auto x = requiredBytes(jwk, "x");
  if (!x) return x.error();
  auto y = requiredBytes(jwk, "y");
  if (!y) return y.error();
  // RFC 7518 6.2.1.2: coordinates are always the full size of the field.
  if (x->size() != kP256CoordinateBytes || y->size() != kP256CoordinateBytes) {
    return makeError(AuthErrc::InvalidKey, "P-256 coordinates must be 32 bytes.");
  }
  Bytes point{0x04};  // uncompressed SEC1 point
  point.insert(point.end(), x->begin(), x->end());
  point.insert(point.end(), y->begin(), y->end());
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) !=
          1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return makeError(AuthErrc::InvalidKey, "EC JWK could not be loaded.");
  }
  return fromParams("EC", bld.get());
}

AuthResult<PkeyPtr> okpKey(const json::object& jwk) {
  auto crv = optionalString(jwk, "crv");
  if (!crv) return crv.error();
  if (!*crv) return malformed("OKP JWK has no \"crv\".");
  if (**crv != "Ed25519") {
    return makeError(AuthErrc::UnsupportedAlgorithm, "Only Ed25519 is supported.");
  }
  auto x = requiredBytes(jwk, "x");
  if (!x) return x.error();
  if (x->size() != kEd25519KeyBytes) {
    return makeError(AuthErrc::InvalidKey, "Ed25519 public keys are 32 bytes.");
  }
  EVP_PKEY* raw = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, x->data(), x->size());
  if (raw == nullptr) {
    ERR_clear_error();
    return makeError(AuthErrc::InvalidKey, "Ed25519 JWK could not be loaded.");
  }
  return PkeyPtr(raw);
}

AuthResult<PkeyPtr> rsaKey(const json::object& jwk) {
  auto n = requiredBytes(jwk, "n");
  if (!n) return n.error();
  auto e = requiredBytes(jwk, "e");
  if (!e) return e.error();
  // RFC 7518 6.3.1: unsigned big-endian integers in their shortest form.
  if (n->empty() || e->empty() || n->front() == 0 || e->front() == 0) {
    return makeError(AuthErrc::InvalidKey, "RSA JWK integers must be minimal and non-zero.");
  }
  BignumPtr bn(BN_bin2bn(n->data(), static_cast<int>(n->size()), nullptr));
  BignumPtr be(BN_bin2bn(e->data(), static_cast<int>(e->size()), nullptr));
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bn || !be || !bld ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, be.get()) != 1) {
    return makeError(AuthErrc::InvalidKey, "RSA JWK could not be loaded.");
  }
  return fromParams("RSA", bld.get());
}

AuthResult<std::vector<std::uint8_t>> bnParam(EVP_PKEY* pkey, const char* name, std::size_t width) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &raw) != 1) {
    ERR_clear_error();
    return makeError(AuthErrc::InvalidKey, "Key parameter is unavailable.");
  }
  BignumPtr bn(raw);
  Bytes out(width == 0 ? static_cast<std::size_t>(BN_num_bytes(bn.get())) : width);
  if (BN_bn2binpad(bn.get(), out.data(), static_cast<int>(out.size())) < 0) {
    return makeError(AuthErrc::InvalidKey, "Key parameter does not fit.");
  }
  return out;
}

}  // namespace

AuthResult<JwtKey> JwtKey::fromJwk(const json::object& jwk) {
  auto kty = optionalString(jwk, "kty");
  if (!kty) return kty.error();
  if (!*kty) return malformed("JWK has no \"kty\".");
  auto kid = optionalString(jwk, "kid");
  if (!kid) return kid.error();
  std::string id(kid->value_or(""));
  if (auto usage = checkUsage(jwk); !usage) return usage.error();

  if (**kty == "oct") {
    auto alg = keyAlgorithm(jwk, std::nullopt);
    if (!alg) return alg.error();
    auto k = requiredBytes(jwk, "k");
    if (!k) return k.error();
    auto key = fromHmacSecret(std::move(id), *alg, *k);
    OPENSSL_cleanse(k->data(), k->size());
    return key;
  }

  for (std::string_view member : kPrivateMembers) {
    if (jwk.contains(member)) {
      return makeError(AuthErrc::InvalidKey, "A private JWK is not accepted here.");
    }
  }
  JwtAlgorithm implied = JwtAlgorithm::ES256;
  AuthResult<PkeyPtr> pkey = makeError(AuthErrc::Malformed, "");
  if (**kty == "EC") {
    pkey = ecKey(jwk);
  } else if (**kty == "OKP") {
    implied = JwtAlgorithm::EdDSA;
    pkey = okpKey(jwk);
  } else if (**kty == "RSA") {
    implied = JwtAlgorithm::RS256;
    pkey = rsaKey(jwk);
  } else {
    return makeError(AuthErrc::UnsupportedAlgorithm, "JWK key type is not supported.");
  }
  if (!pkey) return pkey.error();
  auto alg = keyAlgorithm(jwk, implied);
  if (!alg) return alg.error();
  return fromPkey(std::move(id), *alg, std::move(*pkey), false);
}

AuthResult<json::object> JwtKey::toPublicJwk() const {
  if (!pkey_) return makeError(AuthErrc::InvalidKey, "HMAC keys are never published.");
  json::object jwk;
  switch (alg_) {
    case JwtAlgorithm::ES256: {
      auto x = bnParam(pkey_.get(), OSSL_PKEY_PARAM_EC_PUB_X, kP256CoordinateBytes);
      if (!x) return x.error();
      auto y = bnParam(pkey_.get(), OSSL_PKEY_PARAM_EC_PUB_Y, kP256CoordinateBytes);
      if (!y) return y.error();
      jwk["kty"] = "EC";
      jwk["crv"] = "P-256";
      jwk["x"] = base64urlEncode(*x);
      jwk["y"] = base64urlEncode(*y);
      break;
    }
    case JwtAlgorithm::EdDSA: {
      Bytes x(kEd25519KeyBytes);
      std::size_t len = x.size();
      if (EVP_PKEY_get_raw_public_key(pkey_.get(), x.data(), &len) != 1 || len != x.size()) {
        ERR_clear_error();
        return makeError(AuthErrc::InvalidKey, "Ed25519 public key is unavailable.");
      }
      jwk["kty"] = "OKP";
      jwk["crv"] = "Ed25519";
      jwk["x"] = base64urlEncode(x);
      break;
    }
    case JwtAlgorithm::RS256: {
      auto n = bnParam(pkey_.get(), OSSL_PKEY_PARAM_RSA_N, 0);
      if (!n) return n.error();
      auto e = bnParam(pkey_.get(), OSSL_PKEY_PARAM_RSA_E, 0);
      if (!e) return e.error();
      jwk["kty"] = "RSA";
      jwk["n"] = base64urlEncode(*n);
      jwk["e"] = base64urlEncode(*e);
      break;
    }
    default:
      return makeError(AuthErrc::InvalidKey, "HMAC keys are never published.");
  }
  jwk["kid"] = kid_;
  jwk["alg"] = algorithmName(alg_);
  jwk["use"] = "sig";
  return jwk;
}

}  // namespace latch::auth
