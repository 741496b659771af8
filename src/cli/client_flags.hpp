#pragma once

#include <string>
#include <string_view>

#include <CLI/App.hpp>

#include "client/connection_options.hpp"

namespace latch::cli {

// The flags of every command that connects to a server as a client (send, agent).
struct ClientFlags {
  std::string server = "http://127.0.0.1:5000";
  std::string caFile;
  std::string transport;  // "", WebSockets, ServerSentEvents or LongPolling
};

// Adds --server, --ca-file and --transport to `command`.
void addClientFlags(CLI::App& command, ClientFlags& flags);

// Connection options from the flags, or fails `command` with a one-line reason.
client::ConnectionOptions connectionOptionsOrFail(const ClientFlags& flags,
                                                  std::string_view command);

}  // namespace latch::cli
