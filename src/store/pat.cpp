#include "store/pat.hpp"

#include <algorithm>
#include <array>
#include <cstdint>

#include "common/base64url.hpp"
#include "common/random.hpp"
#include "store/sha256.hpp"

namespace latch::store {

std::string generatePat() {
  std::array<std::uint8_t, 32> bytes{};
  secureRandom(bytes);
  return std::string(kPatPrefix) + base64urlEncode(bytes);
}

PatHash hashPat(std::string_view pat) { return sha256(pat); }

bool looksLikePat(std::string_view text) {
  if (text.size() != kPatLength || !text.starts_with(kPatPrefix)) return false;
  const auto body = text.substr(kPatPrefix.size());
  return std::all_of(body.begin(), body.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

}  // namespace latch::store
