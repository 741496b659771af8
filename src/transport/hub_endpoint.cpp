#include "transport/hub_endpoint.hpp"

#include <boost/beast/websocket/rfc6455.hpp>

#include "hub/hub_connection.hpp"
#include "protocol/negotiate.hpp"
#include "transport/request_target.hpp"

namespace latch::transport {
namespace {

Reply text(http::status status, std::string body) { return Reply{status, std::move(body)}; }

Reply jsonReply(http::status status, std::string body) {
  return Reply{status, std::move(body), "application/json"};
}

bool acceptsEventStream(const Request& request) {
  const auto accept = request[http::field::accept];
  return accept.find("text/event-stream") != beast::string_view::npos;
}

Action negotiate(const Request& request, const RequestTarget& target, EndpointContext& ctx) {
  if (request.method() != http::verb::post) return text(http::status::method_not_allowed, "");
  auto version = protocol::chooseNegotiateVersion(target.param("negotiateVersion"));
  if (!version) {
    return jsonReply(http::status::bad_request, protocol::negotiateError(version.error().message));
  }
  auto connection = ctx.registry.create(/*tokenIsId=*/*version == 0);
  if (!connection) {
    return jsonReply(http::status::service_unavailable,
                     protocol::negotiateError("The server has too many connections."));
  }
  return jsonReply(http::status::ok,
                   protocol::negotiateResponse(*version, connection->id(), connection->token()));
}

// The connection named by the mandatory `id` parameter, or the reply that refuses it.
std::variant<std::shared_ptr<hub::HubConnection>, Reply> findConnection(const RequestTarget& target,
                                                                        EndpointContext& ctx) {
  const auto id = target.param("id");
  if (!id || id->empty()) return text(http::status::bad_request, "Connection ID required");
  auto connection = ctx.registry.find(*id);
  if (!connection || connection->state() == hub::HubConnection::State::Closed) {
    return text(http::status::not_found, "No Connection with that ID");
  }
  return connection;
}

// Checks that a connection may use `wanted`: unattached, or already on that transport.
std::optional<Reply> checkTransport(const hub::HubConnection& connection, hub::TransportKind wanted,
                                    bool exclusive) {
  const auto current = connection.transport();
  if (!current) return std::nullopt;
  if (*current != wanted) {
    return text(http::status::bad_request, "Cannot change transports mid-connection");
  }
  if (exclusive) return text(http::status::conflict, "Connection already has a transport");
  return std::nullopt;
}

Action webSocket(const RequestTarget& target, EndpointContext& ctx) {
  if (!target.param("id")) {
    // Without negotiate (skipNegotiation): a new connection.
    auto connection = ctx.registry.create(false);
    if (!connection) return text(http::status::service_unavailable, "Too many connections");
    return UpgradeWebSocket{std::move(connection)};
  }
  auto found = findConnection(target, ctx);
  if (auto* reply = std::get_if<Reply>(&found)) return std::move(*reply);
  auto connection = std::get<std::shared_ptr<hub::HubConnection>>(std::move(found));
  if (auto refused = checkTransport(*connection, hub::TransportKind::WebSockets, true)) {
    return std::move(*refused);
  }
  return UpgradeWebSocket{std::move(connection)};
}

Action serverSentEvents(const RequestTarget& target, EndpointContext& ctx) {
  auto found = findConnection(target, ctx);
  if (auto* reply = std::get_if<Reply>(&found)) return std::move(*reply);
  auto connection = std::get<std::shared_ptr<hub::HubConnection>>(std::move(found));
  if (auto refused = checkTransport(*connection, hub::TransportKind::ServerSentEvents, true)) {
    return std::move(*refused);
  }
  return StartSse{std::move(connection)};
}

Action longPoll(const RequestTarget& target, EndpointContext& ctx) {
  auto found = findConnection(target, ctx);
  if (auto* reply = std::get_if<Reply>(&found)) return std::move(*reply);
  auto connection = std::get<std::shared_ptr<hub::HubConnection>>(std::move(found));
  if (auto refused = checkTransport(*connection, hub::TransportKind::LongPolling, false)) {
    return std::move(*refused);
  }
  if (auto link = std::dynamic_pointer_cast<LongPollingLink>(connection->link())) {
    return WaitPoll{std::move(link)};
  }
  // The first poll starts the transport and returns at once, empty: the client sends its
  // handshake only after this answer.
  auto link = std::make_shared<LongPollingLink>(connection, ctx.limits, ctx.clock);
  if (connection->attach(link) != hub::HubConnection::Attach::Attached) {
    return text(http::status::conflict, "Connection already has a transport");
  }
  return text(http::status::ok, "");
}

Action send(Request& request, const RequestTarget& target, EndpointContext& ctx) {
  auto found = findConnection(target, ctx);
  if (auto* reply = std::get_if<Reply>(&found)) return std::move(*reply);
  auto connection = std::get<std::shared_ptr<hub::HubConnection>>(std::move(found));
  const auto current = connection->transport();
  if (!current) return text(http::status::bad_request, "The transport has not started");
  if (*current == hub::TransportKind::WebSockets) {
    return text(http::status::bad_request, "Sends go over the WebSocket");
  }
  if (!connection->tryBeginReceive()) {
    return text(http::status::conflict, "Another send is in progress");
  }
  connection->onReceive(request.body());
  connection->endReceive();
  return text(http::status::ok, "");
}

Action remove(const RequestTarget& target, EndpointContext& ctx) {
  auto found = findConnection(target, ctx);
  if (auto* reply = std::get_if<Reply>(&found)) return std::move(*reply);
  auto connection = std::get<std::shared_ptr<hub::HubConnection>>(std::move(found));
  auto link = std::dynamic_pointer_cast<LongPollingLink>(connection->link());
  if (!link) return text(http::status::bad_request, "Only long polling connections are deleted");
  link->abort();  // the waiting poll, if any, gets 204
  return text(http::status::accepted, "");
}

}  // namespace

Action routeRequest(Request& request, EndpointContext& ctx) {
  auto target = parseRequestTarget(request.target());
  if (!target) return text(http::status::bad_request, "Bad request target");
  if (target->path == kNegotiatePath) return negotiate(request, *target, ctx);
  if (target->path != kHubPath) return text(http::status::not_found, "Not found");
  switch (request.method()) {
    case http::verb::get:
      if (beast::websocket::is_upgrade(request)) return webSocket(*target, ctx);
      if (acceptsEventStream(request)) return serverSentEvents(*target, ctx);
      return longPoll(*target, ctx);
    case http::verb::post:
      return send(request, *target, ctx);
    case http::verb::delete_:
      return remove(*target, ctx);
    default:
      return text(http::status::method_not_allowed, "");
  }
}

}  // namespace latch::transport
