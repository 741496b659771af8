#pragma once

#include <string>
#include <string_view>

#include "store/device_store.hpp"

namespace latch::store {

// Private access tokens (PATs) of devices: "latch_pat_" + 43 base64url characters, the
// encoding of 32 bytes (256 bits) from the CSPRNG. Only hashPat() of a PAT is ever stored.
inline constexpr std::string_view kPatPrefix = "latch_pat_";
inline constexpr std::size_t kPatLength = kPatPrefix.size() + 43;

// A fresh PAT. Thread-safe.
std::string generatePat();

// The SHA-256 of the PAT's text, as DeviceStore stores it.
PatHash hashPat(std::string_view pat);

// True if `text` has a PAT's shape (prefix, length, base64url alphabet): a cheap check
// before hashing untrusted input.
bool looksLikePat(std::string_view text);

}  // namespace latch::store
