#include "auth/auth_endpoints.hpp"

#include <boost/json/serialize.hpp>

namespace latch::auth {

AuthEndpoints::AuthEndpoints(const KeySet& keys, TokenEndpoint* tokens)
    : jwks_(boost::json::serialize(keys.jwks())), tokens_(tokens) {}

std::optional<transport::HttpAnswer> AuthEndpoints::handle(const transport::PlainRequest& request) {
  if (request.path == "/.well-known/jwks.json") {
    if (request.method != "GET" && request.method != "HEAD") {
      return transport::HttpAnswer{405, "", "text/plain", {{"Allow", "GET, HEAD"}}};
    }
    // Public keys change only with a restart; a short cache still lets a rotation spread.
    return transport::HttpAnswer{
        200, jwks_, "application/jwk-set+json", {{"Cache-Control", "public, max-age=300"}}};
  }
  if (request.path == "/auth/token" && tokens_) return tokens_->handle(request);
  return std::nullopt;
}

}  // namespace latch::auth
