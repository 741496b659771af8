#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "client/client_error.hpp"
#include "client/server_url.hpp"
#include "client/token_grant.hpp"
#include "transport/transport_link.hpp"

namespace latch::client {

// The three SignalR transports, and their names, as the server knows them.
using transport::TransportKind;
using transport::transportName;

// TLS for https:// servers. Verification is on unless explicitly turned off.
struct TlsOptions {
  // PEM file of CA certificates to trust instead of the system's (self-signed deployments).
  std::string caFile;
  // Check the certificate chain and the host name. Turning it off is for tests only.
  bool verifyPeer = true;
};

// Gives the access token for the next (re)connect or refresh. Called on the connection's
// thread, so it may block briefly (an HTTP exchange). An Unauthorized error is final: the
// connection stops instead of retrying (a revoked PAT, an expired token file).
using TokenProvider = std::function<ClientResult<TokenGrant>()>;

// Everything a HubConnection needs; limits with their defaults and the reason for each.
struct ConnectionOptions {
  ServerUrl server;
  TlsOptions tls;
  // Transports to try, in order, among those the server offers (the official clients' order).
  std::vector<TransportKind> transports = {
      TransportKind::WebSockets, TransportKind::ServerSentEvents, TransportKind::LongPolling};
  // Reconnect after a lost connection (exponential backoff with jitter) until stop().
  bool reconnect = false;
  std::chrono::milliseconds reconnectBaseDelay{250};
  std::chrono::milliseconds reconnectMaxDelay{30'000};
  // Connect, negotiate, TLS and handshake each get this long.
  std::chrono::milliseconds openTimeout{15'000};
  // A Ping goes out when nothing was sent for this long (the server's default too).
  std::chrono::milliseconds keepAliveInterval{15'000};
  // The connection is considered lost when nothing arrives for this long (twice the server's
  // keep-alive, like the official clients).
  std::chrono::milliseconds serverTimeout{30'000};
  // Refresh the token in-band (RefreshToken) at this fraction of its remaining lifetime, or
  // at once on TokenExpiring.
  double refreshAtFraction = 0.8;
  // Largest hub message accepted from the server.
  std::size_t maxMessageBytes = 1024 * 1024;
  // Most invocations awaiting their result at once; beyond, invoke fails at once.
  std::size_t maxPendingInvocations = 1024;
  // Most bytes queued for sending; beyond, invoke fails at once (backpressure).
  std::size_t maxSendBacklogBytes = 4 * 1024 * 1024;
};

}  // namespace latch::client
