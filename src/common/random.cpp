#include "common/random.hpp"

#include <array>
#include <cstdlib>

#include <openssl/rand.h>

#include "common/base64url.hpp"

namespace latch {

void secureRandom(std::span<std::uint8_t> out) {
  if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) std::abort();
}

std::string randomId128() {
  std::array<std::uint8_t, 16> bytes{};
  secureRandom(bytes);
  return base64urlEncode(bytes);
}

}  // namespace latch
