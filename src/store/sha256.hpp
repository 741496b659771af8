#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace latch::store {

using Sha256Digest = std::array<std::uint8_t, 32>;

// SHA-256 of `bytes` (OpenSSL EVP). Thread-safe. Aborts if OpenSSL cannot hash: nothing
// that depends on it (PAT checks, the audit chain) could continue safely.
Sha256Digest sha256(std::string_view bytes);

// Lower-case hex of `bytes`.
std::string toHex(std::span<const std::uint8_t> bytes);

}  // namespace latch::store
