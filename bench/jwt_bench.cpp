// latch-micro-bench: JWT verification per algorithm with Latch's own code (JwtVerifier), next
// to the "floor" of each: raw OpenSSL 3 checking the same signature over the same
// signing-input bytes, with nothing else (no base64url, no JSON, no claims). Also the cost of
// refusing a token: a bad signature, and a token over the 8 KiB cap.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <benchmark/benchmark.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>

#include "auth/jwt_algorithm.hpp"
#include "auth/jwt_key.hpp"
#include "auth/jwt_options.hpp"
#include "auth/jwt_verifier.hpp"
#include "auth/key_set.hpp"
#include "auth/openssl_ptr.hpp"
#include "auth/token_issuer.hpp"
#include "common/base64url.hpp"
#include "common/wall_clock.hpp"

namespace {

using latch::auth::AuthErrc;
using latch::auth::JwtAlgorithm;

using Bytes = std::vector<std::uint8_t>;

constexpr std::int64_t kNowSeconds = 1'764'405'600;  // 2025-11-29T08:40:00Z
constexpr std::int64_t kTokenLifetime = 900;         // Latch's access tokens live 15 minutes

// A wall clock that never moves: every token verifies (or expires) the same way each time.
class FixedWallClock final : public latch::WallClock {
 public:
  std::int64_t nowMillis() const override { return kNowSeconds * 1000; }
};

// Everything one algorithm's benchmarks need, built once, outside any timed loop: a key set
// with one generated key, a verifier as `latch serve` configures it, a token minted by
// TokenIssuer (iss, aud, sub, roles, iat, nbf, exp, jti), its signing input and signature.
struct AlgSetup {
  explicit AlgSetup(JwtAlgorithm alg) { error = build(alg); }

  // An empty string, or what went wrong.
  std::string build(JwtAlgorithm alg) {
    const std::string kid(latch::auth::algorithmName(alg));
    auto key = latch::auth::JwtKey::generate(kid, alg);
    if (!key) return "key generation failed";
    if (!keys.add(std::move(*key)) || !keys.setCurrent(kid)) return "key set refused the key";
    latch::auth::JwtOptions options;
    options.issuer = "latch";
    options.audiences = {"latch"};
    verifier.emplace(options, keys, clock);
    const latch::auth::TokenIssuer issuer(keys, envelope, "latch", "latch", clock);
    auto issued = issuer.issue("device:living-room-hub", {"user", "device"}, kTokenLifetime);
    if (!issued) return "token issue failed";
    token = issued->accessToken;
    const auto dot = token.rfind('.');
    signingInput = token.substr(0, dot);
    auto sig = latch::base64urlDecode(std::string_view(token).substr(dot + 1));
    if (!sig) return "signature is not base64url";
    signature = std::move(*sig);
    badSignatureToken = withFlippedSignatureByte(signingInput, signature);
    return {};
  }

  const latch::auth::JwtKey& key() const { return *keys.current(); }

  // The same token with one bit of the signature flipped, re-encoded as strict base64url.
  // The byte is taken from the middle: for ES256 that is inside s, whose top bytes decide
  // whether 0 < s < n, so the forged value still reaches the real ECDSA check.
  static std::string withFlippedSignatureByte(const std::string& input, Bytes sig) {
    sig[sig.size() / 2 + 8] ^= 0x01;
    return input + "." + latch::base64urlEncode(sig);
  }

  FixedWallClock clock;
  Bytes envelope = Bytes(32, 0x11);
  latch::auth::KeySet keys;
  std::optional<latch::auth::JwtVerifier> verifier;
  std::string token;
  std::string signingInput;  // header.payload, the bytes the signature covers
  Bytes signature;           // decoded: HMAC tag, r||s, Ed25519 or RSA signature
  std::string badSignatureToken;
  std::string error;  // non-empty: setup failed, every benchmark of this algorithm skips
};

// One setup per algorithm, on first use (RSA key generation takes a while).
const AlgSetup& setupFor(JwtAlgorithm alg) {
  static std::map<JwtAlgorithm, AlgSetup> setups;
  auto it = setups.find(alg);
  if (it == setups.end()) it = setups.try_emplace(alg, alg).first;
  return it->second;
}

const unsigned char* bytesOf(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// ---- Latch: the whole JwtVerifier::verify, as the server runs it on every connection ----

void BM_JwtVerify(benchmark::State& state, JwtAlgorithm alg) {
  const AlgSetup& s = setupFor(alg);
  if (!s.error.empty()) return state.SkipWithError(s.error.c_str());
  for (auto _ : state) {
    auto claims = s.verifier->verify(s.token);
    benchmark::DoNotOptimize(claims);
    if (!claims) return state.SkipWithError("a valid token was refused");
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(std::to_string(s.token.size()) + " B token");
}
BENCHMARK_CAPTURE(BM_JwtVerify, HS256, JwtAlgorithm::HS256);
BENCHMARK_CAPTURE(BM_JwtVerify, HS384, JwtAlgorithm::HS384);
BENCHMARK_CAPTURE(BM_JwtVerify, HS512, JwtAlgorithm::HS512);
BENCHMARK_CAPTURE(BM_JwtVerify, ES256, JwtAlgorithm::ES256);
BENCHMARK_CAPTURE(BM_JwtVerify, EdDSA, JwtAlgorithm::EdDSA);
BENCHMARK_CAPTURE(BM_JwtVerify, RS256, JwtAlgorithm::RS256);

// ---- The floor: raw OpenSSL 3 over the same signing input, signature already decoded ----

const EVP_MD* hmacDigest(JwtAlgorithm alg) {
  switch (alg) {
    case JwtAlgorithm::HS384:
      return EVP_sha384();
    case JwtAlgorithm::HS512:
      return EVP_sha512();
    default:
      return EVP_sha256();
  }
}

const char* hmacDigestName(JwtAlgorithm alg) {
  switch (alg) {
    case JwtAlgorithm::HS384:
      return "SHA384";
    case JwtAlgorithm::HS512:
      return "SHA512";
    default:
      return "SHA256";
  }
}

// HMAC() one-shot (what src/auth/jws.cpp calls), then a constant-time compare of the tag.
void BM_FloorHmacOneShot(benchmark::State& state, JwtAlgorithm alg) {
  const AlgSetup& s = setupFor(alg);
  if (!s.error.empty()) return state.SkipWithError(s.error.c_str());
  const auto secret = s.key().hmacSecret();
  const EVP_MD* md = hmacDigest(alg);
  unsigned char tag[EVP_MAX_MD_SIZE];
  for (auto _ : state) {
    unsigned int len = 0;
    const bool ok = HMAC(md, secret.data(), static_cast<int>(secret.size()),
                         bytesOf(s.signingInput), s.signingInput.size(), tag, &len) != nullptr &&
                    len == s.signature.size() && CRYPTO_memcmp(tag, s.signature.data(), len) == 0;
    benchmark::DoNotOptimize(ok);
    if (!ok) return state.SkipWithError("HMAC mismatch");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_FloorHmacOneShot, HS256, JwtAlgorithm::HS256);
BENCHMARK_CAPTURE(BM_FloorHmacOneShot, HS384, JwtAlgorithm::HS384);
BENCHMARK_CAPTURE(BM_FloorHmacOneShot, HS512, JwtAlgorithm::HS512);

// EVP_MAC with the algorithm fetched and the key set once, re-initialised per token (a NULL
// key keeps the previous one): the least OpenSSL 3 can do per HMAC check.
void BM_FloorHmacPreparedCtx(benchmark::State& state, JwtAlgorithm alg) {
  const AlgSetup& s = setupFor(alg);
  if (!s.error.empty()) return state.SkipWithError(s.error.c_str());
  const auto secret = s.key().hmacSecret();
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  EVP_MAC_CTX* ctx = mac ? EVP_MAC_CTX_new(mac) : nullptr;
  std::string digest = hmacDigestName(alg);
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest.data(), 0), OSSL_PARAM_END};
  if (!ctx || EVP_MAC_init(ctx, secret.data(), secret.size(), params) != 1) {
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
    return state.SkipWithError("EVP_MAC setup failed");
  }
  unsigned char tag[EVP_MAX_MD_SIZE];
  for (auto _ : state) {
    std::size_t len = 0;
    const bool ok = EVP_MAC_init(ctx, nullptr, 0, nullptr) == 1 &&
                    EVP_MAC_update(ctx, bytesOf(s.signingInput), s.signingInput.size()) == 1 &&
                    EVP_MAC_final(ctx, tag, &len, sizeof tag) == 1 && len == s.signature.size() &&
                    CRYPTO_memcmp(tag, s.signature.data(), len) == 0;
    benchmark::DoNotOptimize(ok);
    if (!ok) {
      state.SkipWithError("HMAC mismatch");
      break;
    }
  }
  EVP_MAC_CTX_free(ctx);
  EVP_MAC_free(mac);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_FloorHmacPreparedCtx, HS256, JwtAlgorithm::HS256);
BENCHMARK_CAPTURE(BM_FloorHmacPreparedCtx, HS384, JwtAlgorithm::HS384);
BENCHMARK_CAPTURE(BM_FloorHmacPreparedCtx, HS512, JwtAlgorithm::HS512);

// The DER ECDSA-Sig-Value OpenSSL verifies, from the JWS r||s (converted once, untimed).
Bytes joseToDer(const Bytes& jose) {
  latch::auth::EcdsaSigPtr sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(jose.data(), 32, nullptr);
  BIGNUM* s = BN_bin2bn(jose.data() + 32, 32, nullptr);
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return {};
  }
  const int len = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (len <= 0) return {};
  Bytes der(static_cast<std::size_t>(len));
  unsigned char* p = der.data();
  i2d_ECDSA_SIG(sig.get(), &p);
  return der;
}

// EVP_DigestVerifyInit + EVP_DigestVerify on a fresh EVP_MD_CTX per token, the usual
// one-shot OpenSSL 3 check: SHA-256 + ECDSA P-256, Ed25519 (no digest), or SHA-256 + RSA
// PKCS#1 v1.5 (OpenSSL's default RSA padding).
void BM_FloorDigestVerify(benchmark::State& state, JwtAlgorithm alg) {
  const AlgSetup& s = setupFor(alg);
  if (!s.error.empty()) return state.SkipWithError(s.error.c_str());
  const Bytes sig = alg == JwtAlgorithm::ES256 ? joseToDer(s.signature) : s.signature;
  if (sig.empty()) return state.SkipWithError("signature conversion failed");
  const EVP_MD* md = alg == JwtAlgorithm::EdDSA ? nullptr : EVP_sha256();
  EVP_PKEY* pkey = s.key().pkey();
  for (auto _ : state) {
    latch::auth::MdCtxPtr ctx(EVP_MD_CTX_new());
    const bool ok = ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, pkey) == 1 &&
                    EVP_DigestVerify(ctx.get(), sig.data(), sig.size(), bytesOf(s.signingInput),
                                     s.signingInput.size()) == 1;
    benchmark::DoNotOptimize(ok);
    if (!ok) return state.SkipWithError("signature did not verify");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_FloorDigestVerify, ES256, JwtAlgorithm::ES256);
BENCHMARK_CAPTURE(BM_FloorDigestVerify, EdDSA, JwtAlgorithm::EdDSA);
BENCHMARK_CAPTURE(BM_FloorDigestVerify, RS256, JwtAlgorithm::RS256);

// ---- Refusals ----

// A token whose signature has one bit flipped: everything up to and including the signature
// check runs, the claims are never parsed. For HMAC this is cheap; for the asymmetric
// algorithms it costs a full signature verification (a forger can make the server pay it).
void BM_JwtRejectBadSignature(benchmark::State& state, JwtAlgorithm alg) {
  const AlgSetup& s = setupFor(alg);
  if (!s.error.empty()) return state.SkipWithError(s.error.c_str());
  for (auto _ : state) {
    auto claims = s.verifier->verify(s.badSignatureToken);
    benchmark::DoNotOptimize(claims);
    if (claims || claims.error().code != AuthErrc::BadSignature) {
      return state.SkipWithError("expected BadSignature");
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_JwtRejectBadSignature, HS256, JwtAlgorithm::HS256);
BENCHMARK_CAPTURE(BM_JwtRejectBadSignature, ES256, JwtAlgorithm::ES256);
BENCHMARK_CAPTURE(BM_JwtRejectBadSignature, EdDSA, JwtAlgorithm::EdDSA);
BENCHMARK_CAPTURE(BM_JwtRejectBadSignature, RS256, JwtAlgorithm::RS256);

// A token one byte over the 8 KiB cap (JwtOptions::maxTokenBytes): the real token with its
// payload padded. Refused on its length before any decoding.
void BM_JwtRejectOversized(benchmark::State& state) {
  const AlgSetup& s = setupFor(JwtAlgorithm::HS256);
  if (!s.error.empty()) return state.SkipWithError(s.error.c_str());
  const std::size_t cap = s.verifier->options().maxTokenBytes;
  std::string token = s.token;
  token.insert(token.find('.') + 1, std::string(cap + 1 - token.size(), 'A'));
  for (auto _ : state) {
    auto claims = s.verifier->verify(token);
    benchmark::DoNotOptimize(claims);
    if (claims || claims.error().code != AuthErrc::TooLarge) {
      return state.SkipWithError("expected TooLarge");
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(std::to_string(token.size()) + " B token");
}
BENCHMARK(BM_JwtRejectOversized);

}  // namespace
