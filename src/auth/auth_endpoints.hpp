#pragma once

#include <optional>
#include <string>

#include "auth/key_set.hpp"
#include "transport/http_handler.hpp"

namespace latch::auth {

// The HTTP endpoints of the auth layer beside the hub:
//   GET /.well-known/jwks.json  the public keys of the configured asymmetric token keys
//                               (never an HMAC secret), for services that verify Latch tokens.
// Thread-safe; the documents are built once, at construction.
class AuthEndpoints final : public transport::HttpHandler {
 public:
  explicit AuthEndpoints(const KeySet& keys);

  std::optional<transport::HttpAnswer> handle(const transport::PlainRequest& request) override;

 private:
  std::string jwks_;
};

}  // namespace latch::auth
