#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <string>

#include "agent/handler_runner.hpp"
#include "client/connection_options.hpp"

namespace latch::agent {

// What `latch agent` runs with; limits with their defaults and why.
struct AgentOptions {
  client::ServerUrl server;
  client::TlsOptions tls;
  std::string deviceId;
  std::string patFile;  // mode 0600: the agent refuses a PAT others can read
  // Command name -> absolute path of its handler. A command without one is refused here,
  // whatever the server says.
  std::map<std::string, std::string> handlers;
  // Command -> its argument rule (common/argument_rules.hpp), checked here whatever the
  // server checked; commands without one get the default argument policy.
  std::map<std::string, std::string> argRules;
  // Put `--` before the command's arguments in the handler's argv, so an argument such as
  // `-rf` is never read as an option. On unless a handler cannot take it.
  bool doubleDash = true;
  HandlerLimits limits;
  // Handlers running at once; more Executes are refused ("busy") rather than queued.
  std::size_t maxConcurrentHandlers = 4;
  // Executed envelopes remembered (each until its exp) to refuse duplicates.
  std::size_t seenNonceCapacity = 65'536;
  // A UNIX socket where local programs publish events, one JSON object per line ("" = none).
  std::string eventSocket;
  std::vector<client::TransportKind> transports = {client::TransportKind::WebSockets,
                                                   client::TransportKind::ServerSentEvents,
                                                   client::TransportKind::LongPolling};
};

}  // namespace latch::agent
