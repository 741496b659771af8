#include "cli/client_flags.hpp"

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cli/command_failure.hpp"

namespace latch::cli {

void addClientFlags(CLI::App& command, ClientFlags& flags) {
  command.add_option("--server", flags.server, "Server URL (http://127.0.0.1:5000 by default)")
      ->envname("LATCH_SERVER");
  command.add_option("--ca-file", flags.caFile,
                     "PEM CA certificates to trust for https:// (self-signed servers)");
  command.add_option("--transport", flags.transport,
                     "Use only this transport: WebSockets, ServerSentEvents or LongPolling");
}

client::ConnectionOptions connectionOptionsOrFail(const ClientFlags& flags,
                                                  std::string_view command) {
  client::ConnectionOptions options;
  auto server = client::parseServerUrl(flags.server);
  if (!server) failCommand(command, server.error().message);
  options.server = std::move(*server);
  options.tls.caFile = flags.caFile;
  if (!flags.transport.empty()) {
    bool known = false;
    for (const auto kind :
         {client::TransportKind::WebSockets, client::TransportKind::ServerSentEvents,
          client::TransportKind::LongPolling}) {
      if (flags.transport == client::transportName(kind)) {
        options.transports = {kind};
        known = true;
      }
    }
    if (!known) {
      failCommand(command, fmt::format("unknown --transport '{}': use WebSockets, "
                                       "ServerSentEvents or LongPolling",
                                       flags.transport));
    }
  }
  return options;
}

}  // namespace latch::cli
