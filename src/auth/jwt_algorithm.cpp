#include "auth/jwt_algorithm.hpp"

#include <array>
#include <utility>

namespace latch::auth {
namespace {

constexpr std::array<std::pair<JwtAlgorithm, std::string_view>, 6> kNames = {{
    {JwtAlgorithm::HS256, "HS256"},
    {JwtAlgorithm::HS384, "HS384"},
    {JwtAlgorithm::HS512, "HS512"},
    {JwtAlgorithm::ES256, "ES256"},
    {JwtAlgorithm::EdDSA, "EdDSA"},
    {JwtAlgorithm::RS256, "RS256"},
}};

}  // namespace

std::string_view algorithmName(JwtAlgorithm alg) {
  for (const auto& [a, name] : kNames) {
    if (a == alg) return name;
  }
  return "unknown";
}

std::optional<JwtAlgorithm> parseAlgorithm(std::string_view name) {
  for (const auto& [a, n] : kNames) {
    if (n == name) return a;
  }
  return std::nullopt;
}

bool isHmac(JwtAlgorithm alg) { return hmacOutputSize(alg) != 0; }

std::size_t hmacOutputSize(JwtAlgorithm alg) {
  switch (alg) {
    case JwtAlgorithm::HS256:
      return 32;
    case JwtAlgorithm::HS384:
      return 48;
    case JwtAlgorithm::HS512:
      return 64;
    default:
      return 0;
  }
}

}  // namespace latch::auth
