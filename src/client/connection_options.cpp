#include "client/connection_options.hpp"

namespace latch::client {

std::string_view transportName(TransportKind kind) {
  switch (kind) {
    case TransportKind::WebSockets:
      return "WebSockets";
    case TransportKind::ServerSentEvents:
      return "ServerSentEvents";
    case TransportKind::LongPolling:
      return "LongPolling";
  }
  return "unknown";
}

}  // namespace latch::client
