#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string_view>

namespace latch {

using Digest32 = std::array<std::uint8_t, 32>;

// SHA-256 over the concatenation of `parts`. Thread-safe: each thread keeps one OpenSSL
// context, and the algorithm is fetched once per process, so a call allocates next to
// nothing (OpenSSL 3's one-shot EVP_Digest() fetches and allocates some thirty times).
// Aborts if OpenSSL cannot hash: nothing that depends on it could continue safely.
Digest32 sha256Of(std::initializer_list<std::string_view> parts);

// HMAC-SHA256 with `key` over the concatenation of `parts`; thread-safe and cheap as above.
Digest32 hmacSha256(std::span<const std::uint8_t> key,
                    std::initializer_list<std::string_view> parts);

}  // namespace latch
