#include "store/sha256.hpp"

#include "common/digest.hpp"

namespace latch::store {

Sha256Digest sha256(std::string_view bytes) { return sha256Of({bytes}); }

std::string toHex(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const std::uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0x0f]);
  }
  return out;
}

}  // namespace latch::store
