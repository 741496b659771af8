#include "auth/token_endpoint.hpp"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <spdlog/spdlog.h>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "auth/form_body.hpp"
#include "common/logging.hpp"
#include "store/pat.hpp"

namespace latch::auth {
namespace {

constexpr std::string_view kTokenExchange = "urn:ietf:params:oauth:grant-type:token-exchange";
constexpr std::string_view kAccessTokenType = "urn:ietf:params:oauth:token-type:access_token";
constexpr std::string_view kJwtTokenType = "urn:ietf:params:oauth:token-type:jwt";
constexpr std::string_view kIdTokenType = "urn:ietf:params:oauth:token-type:id_token";

transport::HttpAnswer json(int status, const boost::json::object& body) {
  // RFC 6749 5.1: token responses must not be cached.
  return transport::HttpAnswer{status,
                               boost::json::serialize(body),
                               "application/json",
                               {{"Cache-Control", "no-store"}, {"Pragma", "no-cache"}}};
}

// 429 for a key that used up its failures; the client may retry after `waitMs`.
transport::HttpAnswer tooManyFailures(std::string_view error, std::int64_t waitMs) {
  auto answer = json(
      429, {{"error", error}, {"error_description", "Too many failed attempts; retry later."}});
  answer.headers.emplace_back("Retry-After", std::to_string((waitMs + 999) / 1000));
  return answer;
}

}  // namespace

// What one request is about, for the limiter and the audit record.
struct TokenEndpoint::Grant {
  std::string_view address;
  std::string clientKey;  // "client:<id>" once a client id is known
  std::string kind;       // "client_credentials", "renew", "id_token"
  std::string subject;    // once known
  std::int64_t nowMs = 0;
};

TokenEndpoint::TokenEndpoint(const TokenIssuer& issuer, const Authenticator& authenticator,
                             store::DeviceStore& devices, store::AuditSink& audit,
                             std::vector<OidcProvider> providers, const WallClock& clock,
                             TokenEndpointOptions options)
    : issuer_(issuer),
      authenticator_(authenticator),
      devices_(devices),
      audit_(audit),
      providers_(std::move(providers)),
      clock_(clock),
      options_(options),
      byClient_(options.perClient),
      byAddress_(options.perAddress) {}

transport::HttpAnswer TokenEndpoint::handle(const transport::PlainRequest& request) {
  Grant grant;
  grant.address = request.remoteAddress;
  grant.nowMs = clock_.nowMillis();
  if (request.method != "POST") {
    return transport::HttpAnswer{405, "", "text/plain", {{"Allow", "POST"}}};
  }
  // The limiters are consulted only once a request has failed (refuse()): they exist to slow
  // down wrong secrets, so a right one is never refused by them, whoever else has been
  // guessing at the same device or from the same address.
  const auto type = request.contentType.substr(0, request.contentType.find(';'));
  if (type != "application/x-www-form-urlencoded") {
    return refuse(grant, 400, "invalid_request",
                  "The body must be application/x-www-form-urlencoded.");
  }
  const auto form = FormBody::parse(request.body);
  if (!form) return refuse(grant, 400, "invalid_request", "The form body is malformed.");
  const auto grantType = form->get("grant_type");
  if (!grantType) return refuse(grant, 400, "invalid_request", "grant_type is required.");
  if (*grantType == "client_credentials") return clientCredentials(*form, grant);
  if (*grantType == kTokenExchange) return tokenExchange(*form, grant);
  return refuse(grant, 400, "unsupported_grant_type", "Use client_credentials or token-exchange.");
}

transport::HttpAnswer TokenEndpoint::clientCredentials(const FormBody& form, Grant& grant) {
  grant.kind = "client_credentials";
  const auto id = form.get("client_id");
  const auto secret = form.get("client_secret");
  if (!id || !secret || id->empty() || id->size() > 64) {
    return refuse(grant, 400, "invalid_request", "client_id and client_secret are required.");
  }
  grant.clientKey = "client:" + std::string(*id);
  grant.subject = *id;
  // The same answer whatever failed (unknown device, wrong PAT, revoked device): nothing
  // to learn from it. The hash is compared in constant time.
  auto device = devices_.findDevice(*id);
  auto stored = devices_.patHashOf(*id);
  const auto presented = store::hashPat(*secret);
  const bool match =
      device && stored && CRYPTO_memcmp(stored->data(), presented.data(), presented.size()) == 0;
  if (!match || device->revoked) {
    return refuse(grant, 401, "invalid_client", "Unknown client or wrong secret.");
  }
  return issue(grant, device->id, {"device"}, 0);
}

transport::HttpAnswer TokenEndpoint::tokenExchange(const FormBody& form, Grant& grant) {
  const auto token = form.get("subject_token");
  const auto type = form.get("subject_token_type");
  if (!token || !type) {
    return refuse(grant, 400, "invalid_request",
                  "subject_token and subject_token_type are required.");
  }
  if (*type == kAccessTokenType || *type == kJwtTokenType) {
    grant.kind = "renew";
    auto principal = authenticator_.authenticate(*token);
    if (!principal) {
      return refuse(grant, 400, "invalid_grant",
                    fmt::format("The subject token is not valid: {}.",
                                authErrorName(principal.error().code)));
    }
    grant.subject = principal->subject;
    const std::int64_t nowSeconds = grant.nowMs / 1000;
    if (nowSeconds - principal->authTime > options_.maxSessionAgeSeconds) {
      return refuse(grant, 400, "invalid_grant", "The session is too old; sign in again.");
    }
    return issue(grant, principal->subject, principal->roles, principal->authTime);
  }
  if (*type == kIdTokenType) {
    grant.kind = "id_token";
    for (const auto& provider : providers_) {
      auto claims = provider.verifier->verify(*token);
      if (claims) {
        grant.subject = provider.name + ":" + claims->sub;
        return issue(grant, grant.subject, {"user"}, 0);
      }
      if (claims.error().code != AuthErrc::WrongIssuer &&
          claims.error().code != AuthErrc::UnknownKey) {
        return refuse(
            grant, 400, "invalid_grant",
            fmt::format("The ID token is not valid: {}.", authErrorName(claims.error().code)));
      }
    }
    return refuse(grant, 400, "invalid_grant", "The ID token is from no configured provider.");
  }
  return refuse(grant, 400, "invalid_request", "Unsupported subject_token_type.");
}

transport::HttpAnswer TokenEndpoint::issue(Grant& grant, std::string_view subject,
                                           const std::vector<std::string>& roles,
                                           std::int64_t authTime) {
  auto token = issuer_.issue(subject, roles, options_.tokenLifetimeSeconds, authTime);
  if (!token) {
    spdlog::error("token endpoint: cannot issue: {}", token.error().message);
    return json(500, {{"error", "server_error"}, {"error_description", "Cannot issue a token."}});
  }
  store::AuditRecord r;
  r.timeMs = grant.nowMs;
  r.kind = "token";
  r.actor = std::string(subject);
  r.action = grant.kind;
  r.outcome = "issued";
  r.detail = fmt::format("jti={} exp={} from={}", token->jti, token->expiresAt, grant.address);
  if (grant.kind == "client_credentials") r.deviceId = std::string(subject);
  audit_.record(std::move(r));
  spdlog::info("audit: token issued sub={} grant={} from={}", logField(subject),
               logField(grant.kind), grant.address);
  auto answer = json(200, {});
  answer.body = tokenResponseJson(*token);  // the same JSON `latch token issue` prints
  return answer;
}

transport::HttpAnswer TokenEndpoint::refuse(Grant& grant, int status, std::string_view error,
                                            std::string_view description) {
  // Past its budget a key gets 429 without an audit record each: guessing costs no disk.
  if (!grant.clientKey.empty()) {
    if (const auto wait = byClient_.retryAfterMs(grant.clientKey, grant.nowMs); wait > 0) {
      return tooManyFailures("invalid_client", wait);
    }
  }
  if (const auto wait = byAddress_.retryAfterMs(grant.address, grant.nowMs); wait > 0) {
    return tooManyFailures("invalid_request", wait);
  }
  byAddress_.noteFailure(grant.address, grant.nowMs);
  if (!grant.clientKey.empty()) byClient_.noteFailure(grant.clientKey, grant.nowMs);
  store::AuditRecord r;
  r.timeMs = grant.nowMs;
  r.kind = "denial";
  r.actor = grant.subject;
  r.action = grant.kind.empty() ? "token" : grant.kind;
  r.outcome = std::string(error);
  r.detail = fmt::format("from={}", grant.address);
  audit_.record(std::move(r));
  spdlog::warn("audit: token refused grant={} error={} from={}", logField(grant.kind), error,
               grant.address);
  auto answer = json(status, {{"error", error}, {"error_description", description}});
  if (status == 401) answer.headers.emplace_back("WWW-Authenticate", "Basic realm=\"latch\"");
  return answer;
}

}  // namespace latch::auth
