#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "auth/authenticator.hpp"
#include "auth/failure_limiter.hpp"
#include "auth/jwt_verifier.hpp"
#include "auth/token_issuer.hpp"
#include "common/wall_clock.hpp"
#include "store/audit_writer.hpp"
#include "store/device_store.hpp"
#include "transport/endpoint_handler.hpp"
#include "transport/http_handler.hpp"

namespace latch::auth {

// An external OpenID Connect provider whose ID tokens may be exchanged for Latch tokens.
struct OidcProvider {
  std::string name;  // Latch subjects are name + ":" + the ID token's sub ("google:1234")
  std::unique_ptr<KeySet> keys;           // from its JWKS
  std::unique_ptr<JwtVerifier> verifier;  // its issuer, client ids as audiences, `keys`
};

struct TokenEndpointOptions {
  std::int64_t tokenLifetimeSeconds = 900;  // SPEC section 2: 15 minutes
  // A renewed token keeps its session's auth_time; past this age the user signs in again.
  std::int64_t maxSessionAgeSeconds = 12 * 3600;
  // Failed attempts per client id (guessing one device's PAT) and per source address (many
  // clients behind one NAT share it, so it allows more).
  FailureLimiterOptions perClient{10, 60'000, 10'000};
  FailureLimiterOptions perAddress{30, 60'000, 10'000};
};

// POST /auth/token (SPEC section 2, RFC 6749 and RFC 8693), form-encoded, JSON answers:
//   grant_type=client_credentials, client_id=<device id>, client_secret=<PAT>: device token;
//   grant_type=urn:ietf:params:oauth:grant-type:token-exchange with subject_token and
//     subject_token_type ...:access_token (a still-valid Latch token, renewed within the
//     maximum session age) or ...:id_token (an ID token of a configured provider).
// Errors are RFC 6749 5.2 objects (invalid_request, invalid_client, invalid_grant,
// unsupported_grant_type); failed attempts are limited per client id and per source address
// (429 with Retry-After beyond, unaudited), and a request that would succeed is never
// limited. Every token issued and every refusal within budget is audited, without the
// token or the PAT. Thread-safe.
class TokenEndpoint {
 public:
  // Everything passed must outlive the endpoint.
  TokenEndpoint(const TokenIssuer& issuer, const Authenticator& authenticator,
                store::DeviceStore& devices, store::AuditSink& audit,
                std::vector<OidcProvider> providers, const WallClock& clock,
                TokenEndpointOptions options = {});

  transport::HttpAnswer handle(const transport::PlainRequest& request);

 private:
  struct Grant;
  transport::HttpAnswer clientCredentials(const class FormBody& form, Grant& grant);
  transport::HttpAnswer tokenExchange(const class FormBody& form, Grant& grant);
  transport::HttpAnswer issue(Grant& grant, std::string_view subject,
                              const std::vector<std::string>& roles, std::int64_t authTime);
  transport::HttpAnswer refuse(Grant& grant, int status, std::string_view error,
                               std::string_view description);

  const TokenIssuer& issuer_;
  const Authenticator& authenticator_;
  store::DeviceStore& devices_;
  store::AuditSink& audit_;
  std::vector<OidcProvider> providers_;
  const WallClock& clock_;
  const TokenEndpointOptions options_;
  FailureLimiter byClient_;
  FailureLimiter byAddress_;
};

}  // namespace latch::auth
