// latch-bench: the server's yardstick, a raw-protocol load generator for a Latch hub (or any
// SignalR JSON hub with an Echo method) that costs the server nothing a client library would
// add. `echo` measures round trips and latency, `idle` the server's memory per idle
// connection. The product's own load generator, on the client library, is `latch bench`.
// See bench/README.md.
#include <cstdio>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "bench/bench_modes.hpp"

namespace {

using latch::bench::EchoOptions;
using latch::bench::IdleOptions;

void addEchoCommand(CLI::App& app, EchoOptions& o) {
  CLI::App* echo = app.add_subcommand("echo", "Closed-loop Echo invocations: rps and latency");
  echo->add_option("--url", o.url, "Hub URL, ws://HOST:PORT/hubs/command")->required();
  echo->add_option("--connections", o.connections, "Connections, each its own loop")
      ->capture_default_str();
  echo->add_option("--duration", o.durationSeconds, "Measured seconds")->capture_default_str();
  echo->add_option("--warmup", o.warmUpSeconds, "Seconds run before measuring")
      ->capture_default_str();
  echo->add_option("--payload", o.payloadBytes, "Bytes of the echoed string")
      ->capture_default_str();
  echo->add_option("--inflight", o.inflight, "Invocations outstanding per connection")
      ->capture_default_str();
  echo->add_option("--threads", o.threads, "Client io_context threads")->capture_default_str();
  echo->add_option("--server-pid", o.serverPid, "Server process whose CPU time is read");
  echo->add_flag("--json", o.json, "Print one JSON object");
}

void addIdleCommand(CLI::App& app, IdleOptions& o) {
  CLI::App* idle = app.add_subcommand("idle", "Idle connections: server memory per connection");
  idle->add_option("--url", o.url, "Hub URL, ws://HOST:PORT/hubs/command")->required();
  idle->add_option("--connections", o.connections, "Connections to open")->capture_default_str();
  idle->add_option("--server-pid", o.serverPid, "Server process whose VmRSS is read");
  idle->add_option("--settle", o.settleSeconds, "Seconds to wait once all are open")
      ->capture_default_str();
  idle->add_option("--parallel", o.parallelConnects, "Connections opening at once")
      ->capture_default_str();
  idle->add_option("--threads", o.threads, "Client io_context threads")->capture_default_str();
  idle->add_flag("--json", o.json, "Print one JSON object");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"latch-bench: load generator for a Latch hub"};
  app.require_subcommand(1);
  EchoOptions echo;
  IdleOptions idle;
  addEchoCommand(app, echo);
  addIdleCommand(app, idle);
  CLI11_PARSE(app, argc, argv);

  const auto result =
      app.got_subcommand("echo") ? latch::bench::runEcho(echo) : latch::bench::runIdle(idle);
  if (!result) {
    std::fflush(stdout);
    fmt::print(stderr, "latch-bench: {}\n", result.error().message);
    return 1;
  }
  return 0;
}
