#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace latch {

// Fills `out` from OpenSSL's CSPRNG. Thread-safe. Aborts the process if the CSPRNG fails:
// nothing secure can continue without randomness.
void secureRandom(std::span<std::uint8_t> out);

// 128 random bits from the CSPRNG as 22 base64url characters: connection ids and tokens.
std::string randomId128();

}  // namespace latch
