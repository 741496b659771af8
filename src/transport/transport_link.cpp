#include "transport/transport_link.hpp"

namespace latch::transport {

std::string_view transportName(TransportKind kind) {
  switch (kind) {
    case TransportKind::WebSockets:
      return "WebSockets";
    case TransportKind::ServerSentEvents:
      return "ServerSentEvents";
    case TransportKind::LongPolling:
      return "LongPolling";
  }
  return "Unknown";
}

}  // namespace latch::transport
