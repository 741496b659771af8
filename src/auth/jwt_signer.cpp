#include "auth/jwt_signer.hpp"

#include <span>

#include <boost/json/serialize.hpp>

#include "auth/jws.hpp"
#include "common/base64url.hpp"

namespace latch::auth {
namespace json = boost::json;

namespace {

std::string encodeText(const std::string& text) {
  return base64urlEncode(
      std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

}  // namespace

AuthResult<std::string> signJwt(const JwtKey& key, const json::object& claims) {
  if (!key.canSign()) return makeError(AuthErrc::InvalidKey, "Key cannot sign.");
  json::object header;
  header["alg"] = algorithmName(key.alg());
  header["typ"] = "JWT";
  if (!key.kid().empty()) header["kid"] = key.kid();
  std::string token = encodeText(json::serialize(header));
  token += '.';
  token += encodeText(json::serialize(claims));
  auto signature = jwsSign(key, token);
  if (!signature) return signature.error();
  token += '.';
  token += base64urlEncode(*signature);
  return token;
}

}  // namespace latch::auth
