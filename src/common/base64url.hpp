#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace latch {

// Base64url without padding (RFC 4648 section 5). Thread-safe, allocation only for the result.
std::string base64urlEncode(std::span<const std::uint8_t> bytes);

// Strict decoding: no padding, no characters outside the alphabet, and the unused low bits
// of the last character must be zero (one canonical encoding per byte string). nullopt on
// any violation.
std::optional<std::vector<std::uint8_t>> base64urlDecode(std::string_view text);

}  // namespace latch
