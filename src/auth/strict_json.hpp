#pragma once

#include <cstddef>
#include <string_view>

#include <boost/json/value.hpp>

#include "auth/auth_error.hpp"

namespace latch::auth {

// Bounds for parseStrictJson.
struct StrictJsonLimits {
  // Larger texts are refused before parsing (TooLarge).
  std::size_t maxBytes = 8192;
  // Nesting of arrays and objects; JOSE headers and claims sets are nearly flat.
  std::size_t maxDepth = 16;
};

// Parses one JSON text (RFC 8259) into a value, stricter than boost::json::parse: a member
// name repeated in any object at any depth (compared after unescaping) is DuplicateKey;
// invalid UTF-8, lone surrogate escapes, comments, trailing commas, trailing data, numbers
// that overflow a double (1e400) and nesting deeper than maxDepth are Malformed; more than
// maxBytes is TooLarge. Never throws. Thread-safe (no shared state).
[[nodiscard]] AuthResult<boost::json::value> parseStrictJson(std::string_view text,
                                                             const StrictJsonLimits& limits = {});

}  // namespace latch::auth
