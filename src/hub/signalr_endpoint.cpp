#include "hub/signalr_endpoint.hpp"

#include <spdlog/spdlog.h>

#include "auth/auth_error.hpp"
#include "hub/hub_connection.hpp"
#include "protocol/negotiate.hpp"

namespace latch::hub {

using transport::HttpAnswer;

namespace {

HttpAnswer jsonAnswer(int status, std::string body) {
  return HttpAnswer{status, std::move(body), "application/json", {}};
}

// 401 for a request without a valid token (RFC 6750), naming the reason, never the token.
HttpAnswer unauthorized(const auth::AuthError& error) {
  const std::string_view reason = auth::authErrorName(error.code);
  HttpAnswer answer =
      jsonAnswer(401, protocol::negotiateError("Unauthorized: " + std::string(reason)));
  answer.headers.emplace_back(
      "WWW-Authenticate",
      "Bearer error=\"invalid_token\", error_description=\"" + std::string(reason) + "\"");
  return answer;
}

// The status and the reason for a connection the registry did not admit: 429 for the
// caller's own limits (it may retry once it holds fewer), 503 when the server is full.
std::pair<int, std::string_view> refusalAnswer(ConnectionRegistry::Refusal refusal) {
  using Refusal = ConnectionRegistry::Refusal;
  switch (refusal) {
    case Refusal::SubjectFull:
      return {429, "Too many connections for this user."};
    case Refusal::AddressFull:
      return {429, "Too many connections from this address."};
    case Refusal::Unattached:
      return {503, "The server has too many connections starting; try again shortly."};
    case Refusal::Full:
    case Refusal::None:
      break;
  }
  return {503, "The server has too many connections."};
}

}  // namespace

SignalREndpoint::SignalREndpoint(const Limits& limits, Hub& hub, const Clock& clock,
                                 const auth::Authenticator& authenticator,
                                 const WallClock* wallClock)
    : authenticator_(authenticator), registry_(limits, hub, clock, wallClock) {}

HttpAnswer SignalREndpoint::negotiate(std::optional<std::string_view> version,
                                      const transport::Credentials& credentials) {
  auto principal = authenticator_.authenticate(credentials.bearer);
  if (!principal) {
    spdlog::info("negotiate refused: {}", auth::authErrorName(principal.error().code));
    return unauthorized(principal.error());
  }
  auto chosen = protocol::chooseNegotiateVersion(version);
  if (!chosen) return jsonAnswer(400, protocol::negotiateError(chosen.error().message));
  auto admitted = registry_.admit(
      /*tokenIsId=*/*chosen == 0, std::make_shared<const auth::Principal>(std::move(*principal)),
      credentials.remoteAddress, /*unattached=*/true);
  if (!admitted.connection) {
    const auto [status, why] = refusalAnswer(admitted.refusal);
    return jsonAnswer(status, protocol::negotiateError(why));
  }
  const auto& connection = admitted.connection;
  return jsonAnswer(200,
                    protocol::negotiateResponse(*chosen, connection->id(), connection->token()));
}

std::variant<std::shared_ptr<transport::ConnectionPort>, HttpAnswer>
SignalREndpoint::openWithoutNegotiate(const transport::Credentials& credentials) {
  auto principal = authenticator_.authenticate(credentials.bearer);
  if (!principal) return unauthorized(principal.error());
  auto admitted =
      registry_.admit(false, std::make_shared<const auth::Principal>(std::move(*principal)),
                      credentials.remoteAddress, /*unattached=*/false);
  if (!admitted.connection) {
    const auto [status, why] = refusalAnswer(admitted.refusal);
    return HttpAnswer{status, std::string(why)};
  }
  return std::move(admitted.connection);
}

std::variant<std::shared_ptr<transport::ConnectionPort>, HttpAnswer> SignalREndpoint::find(
    std::string_view token, const transport::Credentials& credentials) {
  // A connection token identifies; it never authorizes: each request proves its subject.
  auto principal =
      authenticator_.identify(credentials.bearer, auth::Authenticator::Use::OnConnection);
  if (!principal) return unauthorized(principal.error());
  // A revoked token is refused like any invalid one, with one exception: a request on a
  // connection of its own subject whose token is revoked too. That connection closes with
  // "Token revoked" and the request goes through, so a long poll carries the Close and the
  // client does not mistake the 401 for a lost connection and try to reconnect.
  const bool revoked = authenticator_.isRevoked(*principal);
  const auto refused = [&] {
    return unauthorized(auth::AuthError{auth::AuthErrc::Revoked, "Token has been revoked."});
  };
  auto connection = registry_.find(token);
  if (!connection || connection->ended()) {
    if (revoked) return refused();
    return HttpAnswer{404, "No Connection with that ID"};
  }
  const auto owner = connection->principal();
  if (!owner || owner->subject != principal->subject) {
    if (revoked) return refused();
    spdlog::warn("audit: transport request refused connection={} reason=other_subject",
                 connection->id());
    return HttpAnswer{403, "Forbidden"};
  }
  if (revoked && !connection->closeIfRevoked()) return refused();
  return connection;
}

void SignalREndpoint::tick(SteadyTime now) { registry_.tick(now); }

void SignalREndpoint::abandonAll() { registry_.abandonAll(); }

void SignalREndpoint::shutdown() { registry_.closeAll("Server is shutting down.", true); }

}  // namespace latch::hub
