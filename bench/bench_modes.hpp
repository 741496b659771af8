#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "bench/bench_error.hpp"

namespace latch::bench {

// Connections opening at once: enough to open 10k connections in seconds, few enough not to
// overflow the server's accept backlog.
inline constexpr std::size_t kDefaultParallelConnects = 200;
// All connections must be open by then: 10k take a few seconds; longer means a stuck server.
inline constexpr std::chrono::seconds kOpenTimeout{60};

struct EchoOptions {
  std::string url;                // ws://host:port/hubs/command
  std::size_t connections = 1;    // each runs its own closed loop
  double durationSeconds = 10;    // measured time, after the warm-up
  double warmUpSeconds = 1;       // round trips before this are not counted
  std::size_t payloadBytes = 32;  // characters of the string Echo returns
  std::size_t inflight = 1;       // invocations outstanding per connection
  unsigned threads = 1;           // threads running the client's io_context
  std::optional<int> serverPid;   // whose CPU time to report per round trip; none: not read
  bool json = false;              // print one JSON object instead of the summary
};

// Opens the connections, runs the Echo closed loops, prints round trips per second and
// latency percentiles. Fails on any connection error or unexpected server message.
[[nodiscard]] BenchResult<void> runEcho(const EchoOptions& options);

struct IdleOptions {
  std::string url;
  std::size_t connections = 1000;
  std::optional<int> serverPid;  // whose VmRSS to read; none: memory is not reported
  double settleSeconds = 2;      // wait after all are open before the last reading
  std::size_t parallelConnects = kDefaultParallelConnects;
  unsigned threads = 1;
  bool json = false;
};

// Opens the connections, keeps them idle, reports the server's resident memory before, once
// all are open and after settling, then closes them. Fails if any connection fails or ends.
[[nodiscard]] BenchResult<void> runIdle(const IdleOptions& options);

}  // namespace latch::bench
