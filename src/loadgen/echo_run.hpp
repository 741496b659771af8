#pragma once

#include <cstddef>
#include <optional>

#include "client/connection_options.hpp"
#include "client/token_grant.hpp"
#include "loadgen/load_error.hpp"
#include "loadgen/run_options.hpp"

namespace latch::loadgen {

// `latch bench echo`: round trips of the client library against a server with test hooks
// (Echo is a test-only hub method; the release `latch serve` answers it with an error).
struct EchoOptions {
  client::ConnectionOptions connection;  // no reconnect: a dropped connection fails the run
  client::TokenGrant grant;              // every connection uses this token
  std::size_t connections = 1;           // each its own HubConnection and closed loop
  std::size_t payloadBytes = 32;         // characters of the string Echo returns
  RunOptions run{.durationSeconds = 5};  // inflight: Echo calls outstanding per connection
};

// Opens the connections, runs the Echo closed loops, prints round trips per second and
// latency percentiles. Fails on any connection error or a wrong or failed Echo (after
// printing the report). Blocking.
[[nodiscard]] LoadResult<void> runEcho(const EchoOptions& options);

}  // namespace latch::loadgen
