#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "common/clock.hpp"

namespace latch {

// Every limit of the server in one place, with its default and why. Validated once at
// start (validate()); the rest of the code trusts these values.
struct Limits {
  // A client that opens a transport but never sends its handshake is dropped.
  Millis handshakeTimeout{15000};
  // The server sends a Ping when it has sent nothing else for this long.
  Millis keepAliveInterval{15000};
  // Nothing heard from the client for this long: the connection is closed.
  Millis clientTimeout{30000};
  // A long-polling connection with no poll for this long is removed.
  Millis disconnectTimeout{15000};
  // A long poll with nothing to deliver is answered empty after this long.
  Millis longPollTimeout{90000};
  // Default wait for a client result (server-to-client invocation).
  Millis clientResultTimeout{30000};
  // Largest single hub message (between record separators); larger closes the connection.
  std::size_t maxMessageBytes = 32 * 1024;
  // Outbound bytes queued for one connection; a consumer slower than this is disconnected.
  std::size_t maxBacklogBytes = 1024 * 1024;
  // Hub connections at once (negotiated or connected); more are refused with 503. The last
  // tenth is kept for devices: a home hub can always get back on, whatever users hold.
  std::size_t maxConnections = 20000;
  // Hub connections of one subject at once (a user's tabs and phones, a hub reconnecting
  // before its old connection timed out); more are refused with 429.
  std::size_t maxConnectionsPerSubject = 32;
  // Hub connections from one source address at once (many users behind one NAT share it);
  // more are refused with 429.
  std::size_t maxConnectionsPerAddress = 5000;
  // Negotiated connections that no transport has claimed yet, at once; more are refused
  // with 503. A client claims its connection within milliseconds of negotiating.
  std::size_t maxUnattachedConnections = 1000;
  // A negotiated connection no transport claims within this long is removed.
  Millis negotiateTimeout{5000};
  // TCP connections at once, hub or not; more are closed on accept.
  std::size_t maxSockets = 25000;
  // Invocations of one connection running at once; more are answered with an error.
  std::size_t maxParallelInvocations = 8;
  // Client results one connection may owe the server at once.
  std::size_t maxPendingClientResults = 64;
  // Invocation ids longer than this are a protocol error.
  std::size_t maxInvocationIdBytes = 128;
  // HTTP request header bytes (a token in the query string must fit).
  std::size_t maxHeaderBytes = 16 * 1024;
  // HTTP request body bytes (a POST may carry several hub messages).
  std::size_t maxBodyBytes = 1024 * 1024;
  // Time to receive one whole HTTP request once its first byte arrived: stops slow clients.
  Millis requestTimeout{15000};
  // An idle keep-alive HTTP connection is closed after this long.
  Millis idleTimeout{60000};

  // Refused requests (denied, invalid, replayed) of one subject audited and logged per
  // refusal window; the one past it closes the subject's connection, and the rest of the
  // window is counted in one summary record.
  std::size_t refusalBudget = 30;
  Millis refusalWindow{10000};

  // An empty string when all values are usable, else which one is not and why.
  std::string validate() const;
};

}  // namespace latch
