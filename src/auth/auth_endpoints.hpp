#pragma once

#include <optional>
#include <string>

#include "auth/key_set.hpp"
#include "auth/token_endpoint.hpp"
#include "transport/http_handler.hpp"

namespace latch::auth {

// The HTTP endpoints of the auth layer beside the hub:
//   GET /.well-known/jwks.json  the public keys of the configured asymmetric token keys
//                               (never an HMAC secret), for services that verify Latch tokens;
//   POST /auth/token            the token endpoint, when one is given.
// Thread-safe; the documents are built once, at construction.
class AuthEndpoints final : public transport::HttpHandler {
 public:
  // `tokens` may be null (no token endpoint: 404); it must outlive this.
  explicit AuthEndpoints(const KeySet& keys, TokenEndpoint* tokens = nullptr);

  std::optional<transport::HttpAnswer> handle(const transport::PlainRequest& request) override;

 private:
  std::string jwks_;
  TokenEndpoint* tokens_;
};

}  // namespace latch::auth
