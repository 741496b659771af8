#pragma once

#include <cstddef>
#include <optional>

#include "client/connection_options.hpp"
#include "client/token_grant.hpp"
#include "loadgen/load_error.hpp"

namespace latch::loadgen {

// `latch bench echo`: round trips of the client library against a server with test hooks
// (Echo is a test-only hub method; the release `latch serve` answers it with an error).
struct EchoOptions {
  client::ConnectionOptions connection;  // no reconnect: a dropped connection fails the run
  client::TokenGrant grant;              // every connection uses this token
  std::size_t connections = 1;           // each its own HubConnection and closed loop
  std::size_t inflight = 1;              // invocations outstanding per connection
  std::size_t payloadBytes = 32;         // characters of the string Echo returns
  double durationSeconds = 5;            // measured time, after the warm-up
  double warmUpSeconds = 1;              // round trips before this are not counted
  unsigned threads = 1;                  // client I/O threads all connections share; 0: one each
  std::optional<int> serverPid;          // whose CPU time to report per round trip
  bool json = false;                     // print one JSON object instead of the summary
};

// Opens the connections, runs the Echo closed loops, prints round trips per second and
// latency percentiles. Fails on any connection error or a wrong or failed Echo (after
// printing the report). Blocking.
[[nodiscard]] LoadResult<void> runEcho(const EchoOptions& options);

}  // namespace latch::loadgen
