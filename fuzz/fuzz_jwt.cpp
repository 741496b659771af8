// Fuzzes JWT verification end to end (size cap, base64url, strict JSON, header rules, claims)
// and the strict JSON parser: any input gives claims or a typed error, never a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "auth/jwt_verifier.hpp"
#include "auth/key_set.hpp"
#include "auth/strict_json.hpp"
#include "common/wall_clock.hpp"

namespace {

class FixedClock final : public latch::WallClock {
 public:
  std::int64_t nowMillis() const override { return 1'764'405'600'000; }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace latch::auth;
  static const FixedClock clock;
  static const KeySet* keys = [] {
    auto* set = new KeySet;
    std::vector<std::uint8_t> secret(32, 0x42);
    (void)set->add(*JwtKey::fromHmacSecret("hs", JwtAlgorithm::HS256, secret));
    (void)set->add(*JwtKey::generate("ed", JwtAlgorithm::EdDSA));
    (void)set->add(*JwtKey::generate("es", JwtAlgorithm::ES256));
    return set;
  }();
  static const JwtVerifier verifier(JwtOptions{"latch", {"latch"}}, *keys, clock);
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  (void)verifier.verify(input);
  (void)parseStrictJson(input);
  return 0;
}
