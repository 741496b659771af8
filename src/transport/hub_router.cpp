#include "transport/hub_router.hpp"

#include <algorithm>

#include <boost/beast/websocket/rfc6455.hpp>

#include "transport/request_target.hpp"

namespace latch::transport {
namespace {

// RFC 6455 section 4.2.1: the key is the base64 encoding of 16 bytes (24 characters, the
// last two "="); anything else is a bad request, never an upgrade.
bool isWebSocketKey(beast::string_view key) {
  if (key.size() != 24 || key.substr(22) != "==") return false;
  return std::all_of(key.begin(), key.begin() + 22, [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/';
  });
}

Reply text(http::status status, std::string body) {
  return Reply{static_cast<int>(status), std::move(body)};
}

bool acceptsEventStream(const Request& request) {
  const auto accept = request[http::field::accept];
  return accept.find("text/event-stream") != beast::string_view::npos;
}

Action negotiate(const Request& request, const RequestTarget& target, RouterContext& ctx,
                 const Credentials& credentials) {
  if (request.method() != http::verb::post) return text(http::status::method_not_allowed, "");
  return ctx.handler.negotiate(target.param("negotiateVersion"), credentials);
}

using Found = std::variant<std::shared_ptr<ConnectionPort>, Reply>;

// Runs `then(connection)` on a found connection, or gives the refusal.
template <class Then>
Action withConnection(Found found, Then&& then) {
  if (auto* refusal = std::get_if<Reply>(&found)) return std::move(*refusal);
  return then(std::get<std::shared_ptr<ConnectionPort>>(std::move(found)));
}

// The connection named by the mandatory `id` parameter, or the reply that refuses it.
Found findConnection(const RequestTarget& target, RouterContext& ctx,
                     const Credentials& credentials) {
  const auto id = target.param("id");
  if (!id || id->empty()) return text(http::status::bad_request, "Connection ID required");
  return ctx.handler.find(*id, credentials);
}

// Checks that a connection may use `wanted`: unattached, or already on that transport.
std::optional<Reply> checkTransport(const ConnectionPort& connection, TransportKind wanted,
                                    bool exclusive) {
  const auto link = connection.link();
  if (!link) return std::nullopt;
  if (link->kind() != wanted) {
    return text(http::status::bad_request, "Cannot change transports mid-connection");
  }
  if (exclusive) return text(http::status::conflict, "Connection already has a transport");
  return std::nullopt;
}

Action webSocket(const RequestTarget& target, RouterContext& ctx, const Credentials& credentials) {
  if (!target.param("id")) {
    // Without negotiate (skipNegotiation): a new connection.
    return withConnection(ctx.handler.openWithoutNegotiate(credentials), [](auto connection) {
      return Action(UpgradeWebSocket{std::move(connection)});
    });
  }
  return withConnection(findConnection(target, ctx, credentials), [](auto connection) {
    if (auto refused = checkTransport(*connection, TransportKind::WebSockets, true)) {
      return Action(std::move(*refused));
    }
    return Action(UpgradeWebSocket{std::move(connection)});
  });
}

Action serverSentEvents(const RequestTarget& target, RouterContext& ctx,
                        const Credentials& credentials) {
  return withConnection(findConnection(target, ctx, credentials), [](auto connection) {
    if (auto refused = checkTransport(*connection, TransportKind::ServerSentEvents, true)) {
      return Action(std::move(*refused));
    }
    return Action(StartSse{std::move(connection)});
  });
}

Action longPoll(const RequestTarget& target, RouterContext& ctx, const Credentials& credentials) {
  return withConnection(findConnection(target, ctx, credentials), [&](auto connection) {
    if (auto refused = checkTransport(*connection, TransportKind::LongPolling, false)) {
      return Action(std::move(*refused));
    }
    if (auto link = std::dynamic_pointer_cast<LongPollingLink>(connection->link())) {
      return Action(WaitPoll{std::move(link)});
    }
    // The first poll starts the transport and returns at once, empty: the client sends its
    // handshake only after this answer.
    auto link = std::make_shared<LongPollingLink>(connection, ctx.limits, ctx.clock);
    if (connection->attach(link) != ConnectionPort::Attach::Attached) {
      return Action(text(http::status::conflict, "Connection already has a transport"));
    }
    return Action(text(http::status::ok, ""));
  });
}

Action send(Request& request, const RequestTarget& target, RouterContext& ctx,
            const Credentials& credentials) {
  return withConnection(findConnection(target, ctx, credentials), [&](auto connection) {
    const auto link = connection->link();
    if (!link) return Action(text(http::status::bad_request, "The transport has not started"));
    if (link->kind() == TransportKind::WebSockets) {
      return Action(text(http::status::bad_request, "Sends go over the WebSocket"));
    }
    if (!connection->tryBeginReceive()) {
      return Action(text(http::status::conflict, "Another send is in progress"));
    }
    connection->onReceive(request.body());
    connection->endReceive();
    return Action(text(http::status::ok, ""));
  });
}

Action remove(const RequestTarget& target, RouterContext& ctx, const Credentials& credentials) {
  return withConnection(findConnection(target, ctx, credentials), [](auto connection) {
    auto link = std::dynamic_pointer_cast<LongPollingLink>(connection->link());
    if (!link) {
      return Action(text(http::status::bad_request, "Only long polling connections are deleted"));
    }
    link->abort();  // the waiting poll, if any, gets 204
    return Action(text(http::status::accepted, ""));
  });
}

// The token of an "Authorization: Bearer" header, or empty.
std::string_view bearerOf(const Request& request) {
  constexpr std::string_view kBearer = "Bearer ";
  const auto header = request[http::field::authorization];
  if (header.size() > kBearer.size() && beast::iequals(header.substr(0, kBearer.size()), kBearer)) {
    return std::string_view(header.data() + kBearer.size(), header.size() - kBearer.size());
  }
  return {};
}

// The bearer token of a hub-path request: the Authorization header, else the access_token
// query parameter (browsers cannot set headers on WebSockets or EventSource).
Credentials credentialsOf(const Request& request, const RequestTarget& target,
                          std::string_view remoteAddress) {
  if (auto bearer = bearerOf(request); !bearer.empty()) return Credentials{bearer, remoteAddress};
  if (auto token = target.param("access_token")) return Credentials{*token, remoteAddress};
  return Credentials{{}, remoteAddress};
}

// Two tokens that disagree (the header and the query, or two Authorization headers): which
// one the request means is not for the server to guess, so it is refused.
bool conflictingTokens(const Request& request, const RequestTarget& target) {
  if (request.count(http::field::authorization) > 1) return true;
  const auto queryTokens = std::count_if(target.params.begin(), target.params.end(),
                                         [](const auto& p) { return p.first == "access_token"; });
  if (queryTokens > 1) return true;
  const auto bearer = bearerOf(request);
  const auto query = target.param("access_token");
  return !bearer.empty() && query && *query != bearer;
}

// The CORS headers for an allowed `origin`.
HeaderList corsHeadersFor(std::string_view origin) {
  return {{"Access-Control-Allow-Origin", std::string(origin)},
          {"Access-Control-Allow-Credentials", "true"},
          {"Vary", "Origin"}};
}

Reply preflight(HeaderList cors) {
  Reply reply = text(http::status::no_content, "");
  reply.headers = std::move(cors);
  reply.headers.emplace_back("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS");
  reply.headers.emplace_back("Access-Control-Allow-Headers",
                             "Authorization, Content-Type, X-Requested-With, "
                             "X-SignalR-User-Agent");
  reply.headers.emplace_back("Access-Control-Max-Age", "600");
  return reply;
}

// Anything outside the hub path: handed to the plain HTTP handler, with a bearer token from
// the Authorization header only.
Action plain(Request& request, const RequestTarget& target, RouterContext& ctx,
             std::string_view remoteAddress) {
  if (!ctx.http) return text(http::status::not_found, "Not found");
  const auto raw = std::string_view(request.target().data(), request.target().size());
  const auto question = raw.find('?');
  const auto method = request.method_string();
  const auto contentType = request[http::field::content_type];
  PlainRequest plainRequest{
      std::string_view(method.data(), method.size()),
      target.path,
      question == std::string_view::npos ? std::string_view() : raw.substr(question + 1),
      std::string_view(contentType.data(), contentType.size()),
      request.body(),
      bearerOf(request),
      remoteAddress};
  if (auto answer = ctx.http->handle(plainRequest)) return std::move(*answer);
  return text(http::status::not_found, "Not found");
}

Action route(Request& request, RouterContext& ctx, const HeaderList& cors,
             std::string_view remoteAddress) {
  auto target =
      parseRequestTarget(std::string_view(request.target().data(), request.target().size()));
  if (!target) return text(http::status::bad_request, "Bad request target");
  const bool hubPath = target->path == kNegotiatePath || target->path == kHubPath;
  if (request.method() == http::verb::options) {
    if (cors.empty()) return text(http::status::method_not_allowed, "");
    if (!hubPath) return text(http::status::not_found, "Not found");
    return preflight(cors);
  }
  if (!hubPath) return plain(request, *target, ctx, remoteAddress);
  if (conflictingTokens(request, *target)) {
    return text(http::status::bad_request, "Conflicting access tokens");
  }
  const Credentials credentials = credentialsOf(request, *target, remoteAddress);
  if (target->path == kNegotiatePath) return negotiate(request, *target, ctx, credentials);
  switch (request.method()) {
    case http::verb::get:
      if (beast::websocket::is_upgrade(request)) {
        if (!isWebSocketKey(request[http::field::sec_websocket_key])) {
          return text(http::status::bad_request, "Bad Sec-WebSocket-Key");
        }
        return webSocket(*target, ctx, credentials);
      }
      if (acceptsEventStream(request)) return serverSentEvents(*target, ctx, credentials);
      return longPoll(*target, ctx, credentials);
    case http::verb::post:
      return send(request, *target, ctx, credentials);
    case http::verb::delete_:
      return remove(*target, ctx, credentials);
    default:
      return text(http::status::method_not_allowed, "");
  }
}

}  // namespace

Routed routeRequest(Request& request, RouterContext& ctx, std::string_view remoteAddress) {
  Routed routed{Reply{}, {}};
  if (request.count(http::field::origin) > 0) {
    const auto header = request[http::field::origin];
    const std::string_view origin(header.data(), header.size());
    const auto& allowed = ctx.allowedOrigins;
    if (std::find(allowed.begin(), allowed.end(), origin) == allowed.end()) {
      routed.action = text(http::status::forbidden, "Origin not allowed");
      return routed;
    }
    routed.corsHeaders = corsHeadersFor(origin);
  }
  routed.action = route(request, ctx, routed.corsHeaders, remoteAddress);
  return routed;
}

}  // namespace latch::transport
