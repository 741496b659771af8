#include "auth/compact_jws.hpp"

#include <algorithm>
#include <array>
#include <optional>

#include "auth/jws.hpp"
#include "auth/strict_json.hpp"
#include "common/base64url.hpp"

namespace latch::auth {
namespace json = boost::json;

namespace {

// Header parameters that point at keys or certificates outside the configured key set, or
// change how the payload is signed (RFC 7797): none is ever honoured, so none is accepted.
constexpr std::array<std::string_view, 5> kForbiddenHeaders = {"jku", "x5u", "jwk", "x5c", "b64"};

struct Parts {
  std::string_view header;
  std::string_view payload;
  std::string_view signature;
};

std::optional<Parts> split(std::string_view token) {
  const auto first = token.find('.');
  if (first == std::string_view::npos) return std::nullopt;
  const auto second = token.find('.', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  if (token.find('.', second + 1) != std::string_view::npos) return std::nullopt;
  return Parts{token.substr(0, first), token.substr(first + 1, second - first - 1),
               token.substr(second + 1)};
}

AuthResult<std::vector<std::uint8_t>> decode(std::string_view part) {
  auto bytes = base64urlDecode(part);
  if (!bytes) return makeError(AuthErrc::BadBase64, "Token is not strict base64url.");
  return std::move(*bytes);
}

AuthResult<json::object> parseHeader(std::string_view part, std::size_t maxBytes) {
  auto bytes = decode(part);
  if (!bytes) return bytes.error();
  const std::string_view text(reinterpret_cast<const char*>(bytes->data()), bytes->size());
  auto value = parseStrictJson(text, {.maxBytes = maxBytes});
  if (!value) return value.error();
  if (!value->is_object()) return makeError(AuthErrc::Malformed, "Token header is not an object.");
  return std::move(value->get_object());
}

AuthResult<JwtAlgorithm> headerAlgorithm(const json::object& header) {
  const json::value* alg = header.if_contains("alg");
  if (alg == nullptr || !alg->is_string()) {
    return makeError(AuthErrc::Malformed, "Token header has no \"alg\" string.");
  }
  const std::string_view name(alg->get_string().data(), alg->get_string().size());
  if (equalsIgnoreAsciiCase(name, "none")) {
    return makeError(AuthErrc::UnsupportedAlgorithm, "Unsigned tokens are never accepted.");
  }
  const auto parsed = parseAlgorithm(name);
  if (!parsed)
    return makeError(AuthErrc::UnsupportedAlgorithm, "Token algorithm is not supported.");
  return *parsed;
}

AuthResult<void> checkHeaderParameters(const json::object& header) {
  if (header.contains("crit")) {
    return makeError(AuthErrc::UnknownCritical, "Token has critical extensions.");
  }
  for (std::string_view name : kForbiddenHeaders) {
    if (header.contains(name)) {
      return makeError(AuthErrc::ForbiddenHeader, "Token header names an external key.");
    }
  }
  return {};
}

AuthResult<const JwtKey*> selectKey(const json::object& header, const KeySet& keys) {
  const json::value* kid = header.if_contains("kid");
  const JwtKey* key = nullptr;
  if (kid == nullptr) {
    key = keys.single();
  } else if (kid->is_string()) {
    key = keys.find(std::string_view(kid->get_string().data(), kid->get_string().size()));
  } else {
    return makeError(AuthErrc::Malformed, "Token \"kid\" is not a string.");
  }
  if (key == nullptr) return makeError(AuthErrc::UnknownKey, "Token key is not known.");
  return key;
}

}  // namespace

bool equalsIgnoreAsciiCase(std::string_view a, std::string_view b) {
  const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [&](char x, char y) { return lower(x) == lower(y); });
}

AuthResult<VerifiedJws> verifyCompactJws(std::string_view token, const KeySet& keys,
                                         std::size_t maxBytes) {
  if (token.size() > maxBytes) return makeError(AuthErrc::TooLarge, "Token is too large.");
  const auto parts = split(token);
  if (!parts) return makeError(AuthErrc::Malformed, "Token is not a compact JWS.");

  auto header = parseHeader(parts->header, maxBytes);
  if (!header) return header.error();
  auto alg = headerAlgorithm(*header);
  if (!alg) return alg.error();
  if (auto ok = checkHeaderParameters(*header); !ok) return ok.error();
  auto key = selectKey(*header, keys);
  if (!key) return key.error();
  if ((*key)->alg() != *alg) {
    return makeError(AuthErrc::AlgorithmMismatch, "Token algorithm is not its key's.");
  }

  auto payload = decode(parts->payload);
  if (!payload) return payload.error();
  auto signature = decode(parts->signature);
  if (!signature) return signature.error();
  // The signing input is the first two parts exactly as received (RFC 7515 5.2 step 8).
  const std::string_view signingInput =
      token.substr(0, parts->header.size() + 1 + parts->payload.size());
  if (auto ok = jwsVerify(**key, signingInput, *signature); !ok) return ok.error();
  return VerifiedJws{std::move(*header), std::move(*payload), *key};
}

}  // namespace latch::auth
