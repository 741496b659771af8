#include "cli/bench_command.hpp"

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/client_flags.hpp"
#include "cli/manage_support.hpp"
#include "loadgen/echo_run.hpp"
#include "loadgen/relay_run.hpp"

namespace latch::cli {
namespace {

struct RelayFlags {
  ClientFlags client;
  loadgen::RelayOptions options;
};

struct EchoFlags {
  ClientFlags client;
  std::string tokenFile;
  loadgen::EchoOptions options;
};

// Exit status 0 when the run went well; else its one-line reason, after any report.
int finish(const loadgen::LoadResult<void>& result, std::string_view command) {
  if (!result) {
    std::fflush(stdout);
    failCommand(command, result.error().message);
  }
  return 0;
}

// The flags of RunOptions, shared by every mode.
void addRunFlags(CLI::App& mode, loadgen::RunOptions& run, const char* inflightHelp) {
  mode.add_option("--duration", run.durationSeconds, "Measured seconds")->capture_default_str();
  mode.add_option("--warmup", run.warmUpSeconds, "Seconds run before measuring")
      ->capture_default_str();
  mode.add_option("--inflight", run.inflight, inflightHelp)->capture_default_str();
  mode.add_option("--threads", run.threads, "Client I/O threads, shared (0: one per connection)")
      ->capture_default_str();
  mode.add_option("--server-pid", run.serverPid, "Server process whose CPU time is read");
  mode.add_flag("--json", run.json, "Print one JSON object");
}

void addRelay(CLI::App& bench) {
  auto flags = std::make_shared<RelayFlags>();
  auto& o = flags->options;
  CLI::App* relay = bench.add_subcommand(
      "relay", "Signed commands from users through the server to devices: rate and latency");
  addClientFlags(*relay, flags->client);
  relay->add_option("--data", o.dataDir, "The running server's data directory")->required();
  relay->add_option("--users", o.users, "User connections")->capture_default_str();
  relay->add_option("--devices", o.devices, "Homes, one device connection each")
      ->capture_default_str();
  relay->add_option("--lifetime", o.lifetimeSeconds, "Seconds each envelope is valid")
      ->capture_default_str();
  relay->add_flag("!--no-audit-check", o.checkAudit, "Do not count the audit records after");
  relay->add_option("--audit-wait", o.auditWaitSeconds, "Seconds the audit records may take")
      ->capture_default_str();
  relay
      ->add_option("--rate", o.rate,
                   "Commands per second in all, sent on a schedule (open loop; latency timed "
                   "from when each was due); 0: closed loops of --inflight")
      ->capture_default_str();
  addRunFlags(*relay, o.run,
              "Commands outstanding per user (with --rate: at most this many; a due command "
              "waits for room)");
  relay->final_callback([flags] {
    flags->options.connection = connectionOptionsOrFail(flags->client, "bench relay");
    std::exit(finish(loadgen::runRelay(flags->options), "bench relay"));
  });
}

void addEcho(CLI::App& bench) {
  auto flags = std::make_shared<EchoFlags>();
  auto& o = flags->options;
  CLI::App* echo = bench.add_subcommand(
      "echo", "Closed-loop Echo round trips (a server with test hooks): rate and latency");
  addClientFlags(*echo, flags->client);
  echo->add_option("--token-file", flags->tokenFile, "Token response JSON, mode 0600")->required();
  echo->add_option("--connections", o.connections, "Connections, each its own loop")
      ->capture_default_str();
  echo->add_option("--payload", o.payloadBytes, "Bytes of the echoed string")
      ->capture_default_str();
  addRunFlags(*echo, o.run, "Invocations outstanding per connection");
  echo->final_callback([flags] {
    flags->options.connection = connectionOptionsOrFail(flags->client, "bench echo");
    auto grant = client::readTokenFile(flags->tokenFile);
    if (!grant) failCommand("bench echo", grant.error().message);
    flags->options.grant = std::move(*grant);
    std::exit(finish(loadgen::runEcho(flags->options), "bench echo"));
  });
}

}  // namespace

void addBenchCommand(CLI::App& app) {
  CLI::App* bench = app.add_subcommand(
      "bench", "Load generator on the client library: relay (the product path) or echo");
  bench->require_subcommand(1);
  addRelay(*bench);
  addEcho(*bench);
}

}  // namespace latch::cli
