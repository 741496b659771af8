#include "hub/signalr_endpoint.hpp"

#include "protocol/negotiate.hpp"

namespace latch::hub {

using transport::HttpAnswer;

namespace {

HttpAnswer jsonAnswer(int status, std::string body) {
  return HttpAnswer{status, std::move(body), "application/json", {}};
}

}  // namespace

SignalREndpoint::SignalREndpoint(const Limits& limits, Hub& hub, const Clock& clock)
    : registry_(limits, hub, clock) {}

HttpAnswer SignalREndpoint::negotiate(std::optional<std::string_view> version,
                                      const transport::Credentials&) {
  auto chosen = protocol::chooseNegotiateVersion(version);
  if (!chosen) return jsonAnswer(400, protocol::negotiateError(chosen.error().message));
  auto connection = registry_.create(/*tokenIsId=*/*chosen == 0);
  if (!connection) {
    return jsonAnswer(503, protocol::negotiateError("The server has too many connections."));
  }
  return jsonAnswer(200,
                    protocol::negotiateResponse(*chosen, connection->id(), connection->token()));
}

std::variant<std::shared_ptr<transport::ConnectionPort>, HttpAnswer>
SignalREndpoint::openWithoutNegotiate(const transport::Credentials&) {
  auto connection = registry_.create(false);
  if (!connection) return HttpAnswer{503, "Too many connections"};
  return connection;
}

std::variant<std::shared_ptr<transport::ConnectionPort>, HttpAnswer> SignalREndpoint::find(
    std::string_view token, const transport::Credentials&) {
  auto connection = registry_.find(token);
  if (!connection || connection->ended()) return HttpAnswer{404, "No Connection with that ID"};
  return connection;
}

void SignalREndpoint::tick(SteadyTime now) { registry_.tick(now); }

void SignalREndpoint::shutdown() { registry_.closeAll("Server is shutting down.", true); }

}  // namespace latch::hub
