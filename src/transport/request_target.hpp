#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace latch::transport {

// The path and decoded query parameters of an HTTP request target (origin form).
struct RequestTarget {
  std::string path;
  std::vector<std::pair<std::string, std::string>> params;

  // The value of the only parameter called `name`; nullopt when absent or repeated (a
  // repeated id or token is ambiguous, so it is treated as missing).
  std::optional<std::string_view> param(std::string_view name) const;
};

// Parses `target`; nullopt when it is not a valid origin-form target. Thread-safe.
std::optional<RequestTarget> parseRequestTarget(std::string_view target);

}  // namespace latch::transport
