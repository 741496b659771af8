#pragma once
// Routing of the hub path: decides what each request gets, without doing I/O. Included
// only by transport .cpp files.

#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "common/clock.hpp"
#include "common/limits.hpp"
#include "transport/detail/beast.hpp"
#include "transport/endpoint_handler.hpp"
#include "transport/http_handler.hpp"
#include "transport/long_polling_link.hpp"

namespace latch::transport {

inline constexpr std::string_view kHubPath = "/hubs/command";
inline constexpr std::string_view kNegotiatePath = "/hubs/command/negotiate";

struct RouterContext {
  EndpointHandler& handler;
  HttpHandler* http;  // the paths beside the hub; null: they are all 404
  const Limits& limits;
  const Clock& clock;
  // Browser origins allowed to use the hub cross-origin (exact "scheme://host[:port]").
  const std::vector<std::string>& allowedOrigins;
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// A plain HTTP response.
using Reply = HttpAnswer;
// Upgrade to a WebSocket carrying `connection`.
struct UpgradeWebSocket {
  std::shared_ptr<ConnectionPort> connection;
};
// Start a Server-Sent Events stream for `connection`.
struct StartSse {
  std::shared_ptr<ConnectionPort> connection;
};
// Hold the request until `link` answers the poll.
struct WaitPoll {
  std::shared_ptr<LongPollingLink> link;
};
using Action = std::variant<Reply, UpgradeWebSocket, StartSse, WaitPoll>;

struct Routed {
  Action action;
  // CORS headers every response to this request carries (empty for same-origin clients).
  HeaderList corsHeaders;
};

// What `request` gets. Requests from a browser origin that is not allowed get 403 before
// anything else (cross-origin WebSocket hijacking, CSRF); CORS preflights are answered here.
// POSTed hub messages are delivered to their connection here; other paths go to ctx.http.
// `remoteAddress`: the peer's IP. Thread-safe.
Routed routeRequest(Request& request, RouterContext& ctx, std::string_view remoteAddress = {});

}  // namespace latch::transport
