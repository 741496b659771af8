// Fuzzes JWT verification end to end (size cap, base64url, strict JSON, header rules, claims)
// and the strict JSON parser: any input gives claims or a typed error, never a crash.
//
// The first byte picks the mode (the rest of the input is the mode's data):
//   byte % 3 == 0  raw: the data is a token, verified as it is. Only the seeds signed with
//                  the fixed HS256 secret below get past the signature.
//   byte % 3 == 1  signed claims: the data is the claims set (any bytes); the harness signs
//                  it under a valid header with the key picked by (byte / 3) % 3 (HS256,
//                  EdDSA, ES256), so every input reaches the claims checks. A JWS-layer
//                  error there is a verifier bug and aborts.
//   byte % 3 == 2  signed header and claims: the data is header bytes, '\n', claims bytes;
//                  both are signed as they are, so the header rules run on a valid signature.
// The keys are fixed, so a crashing input reproduces in any process.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "auth/jws.hpp"
#include "auth/jwt_verifier.hpp"
#include "auth/key_set.hpp"
#include "auth/strict_json.hpp"
#include "common/base64url.hpp"
#include "common/wall_clock.hpp"

namespace {

using namespace latch::auth;

constexpr std::int64_t kNowMillis = 1'764'405'600'000;

// Fuzzing keys, generated for this harness only; they protect nothing.
constexpr std::string_view kEdPem =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIIOhCQ6MFQ4z67LsEQuQL4LFl5fCHe6s/ERVaVSwPlKw\n"
    "-----END PRIVATE KEY-----\n";
constexpr std::string_view kEsPem =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgpkRIvu4Dx33aoNR4\n"
    "EkB3EBd8uEaAgjvK5+dKycALRUChRANCAASyB1GDfMGwJYpMadEJuRnKZpRq2gYe\n"
    "YJpi4hsrp3mMvWjP19aGP/1Iqex8EDUdOFHHe/lezPUorcuFUokO1GS2\n"
    "-----END PRIVATE KEY-----\n";

// The protected header of each key, as the signed-claims mode sends it.
constexpr std::string_view kHeaders[] = {
    R"({"alg":"HS256","typ":"JWT","kid":"hs"})",
    R"({"alg":"EdDSA","typ":"JWT","kid":"ed"})",
    R"({"alg":"ES256","typ":"JWT","kid":"es"})",
};
constexpr std::string_view kKids[] = {"hs", "ed", "es"};

class FixedClock final : public latch::WallClock {
 public:
  std::int64_t nowMillis() const override { return kNowMillis; }
};

const KeySet& fuzzKeys() {
  static const KeySet* keys = [] {
    auto* set = new KeySet;
    const std::vector<std::uint8_t> secret(32, 0x42);
    auto hs = JwtKey::fromHmacSecret("hs", JwtAlgorithm::HS256, secret);
    auto ed = JwtKey::fromPem("ed", JwtAlgorithm::EdDSA, kEdPem);
    auto es = JwtKey::fromPem("es", JwtAlgorithm::ES256, kEsPem);
    if (!hs || !ed || !es) std::abort();  // the harness itself is broken
    if (!set->add(std::move(*hs)) || !set->add(std::move(*ed)) || !set->add(std::move(*es))) {
      std::abort();
    }
    return set;
  }();
  return *keys;
}

std::string encode(std::string_view text) {
  return latch::base64urlEncode(
      std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

// A compact JWS of exactly these header and payload bytes, signed with `key`.
std::string signToken(const JwtKey& key, std::string_view header, std::string_view payload) {
  std::string token = encode(header) + '.' + encode(payload);
  auto signature = jwsSign(key, token);
  if (!signature) std::abort();  // every fuzzing key can sign
  return token + '.' + latch::base64urlEncode(*signature);
}

// Errors only the JWS layer gives for a token whose header and signature are valid.
bool isJwsLayerError(AuthErrc code) {
  switch (code) {
    case AuthErrc::BadBase64:
    case AuthErrc::UnsupportedAlgorithm:
    case AuthErrc::AlgorithmMismatch:
    case AuthErrc::UnknownKey:
    case AuthErrc::UnknownCritical:
    case AuthErrc::ForbiddenHeader:
    case AuthErrc::BadSignature:
    case AuthErrc::WrongType:
      return true;
    default:
      return false;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const FixedClock clock;
  static const JwtVerifier verifier(JwtOptions{"latch", {"latch"}}, fuzzKeys(), clock);
  if (size == 0) return 0;
  const std::uint8_t selector = data[0];
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::size_t keyIndex = (selector / 3) % 3;
  const JwtKey& key = *fuzzKeys().find(kKids[keyIndex]);
  switch (selector % 3) {
    case 0:
      (void)verifier.verify(input);
      break;
    case 1: {
      const auto claims = verifier.verify(signToken(key, kHeaders[keyIndex], input));
      if (!claims && isJwsLayerError(claims.error().code)) std::abort();
      if (claims && (claims->sub.empty() || claims->exp <= kNowMillis / 1000)) std::abort();
      break;
    }
    default: {
      const std::size_t cut = input.find('\n');
      const std::string_view header = input.substr(0, cut);
      const std::string_view payload =
          cut == std::string_view::npos ? std::string_view() : input.substr(cut + 1);
      (void)verifier.verify(signToken(key, header, payload));
      break;
    }
  }
  (void)parseStrictJson(input);
  return 0;
}
