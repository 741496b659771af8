#include "cli/agent_command.hpp"

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <toml++/toml.h>
#include <CLI/CLI.hpp>

#include "agent/agent.hpp"
#include "cli/client_flags.hpp"
#include "cli/command_failure.hpp"
#include "cli/duration.hpp"
#include "common/argument_rules.hpp"
#include "common/logging.hpp"
#include "relay/command_message.hpp"

namespace latch::cli {
namespace {

struct AgentFlags {
  ClientFlags client;
  std::string configFile;
  std::string device;
  std::string patFile;
  std::vector<std::string> handlers;  // CMD=/path
  std::vector<std::string> argRules;  // CMD=RULE
  bool noDoubleDash = false;
  std::string timeout = "10s";
  std::string logLevel = "info";
  std::string eventSocket;
};

struct PublishFlags {
  std::string socket;
  std::string event;
};

[[noreturn]] void fail(std::string_view message) { failCommand("agent", message); }

// Adds one handler, checking the command name and that the program can be run.
void addHandler(agent::AgentOptions& options, std::string_view command, const std::string& path) {
  if (!relay::isValidCommandName(command)) {
    fail(fmt::format("bad command name '{}' in --handler: use A-Z, 0-9 and _", command));
  }
  if (path.empty() || path.front() != '/') {
    fail(fmt::format("the handler of {} must be an absolute path, not '{}'", command, path));
  }
  if (::access(path.c_str(), X_OK) != 0) {
    fail(fmt::format("the handler of {} ({}) is not an executable file", command, path));
  }
  options.handlers[std::string(command)] = path;
}

// [agent] server, device, pat_file, ca_file, handler_timeout; [agent.handlers] CMD = "/path".
// Flags given on the command line win.
void applyConfigFile(AgentFlags& flags, agent::AgentOptions& options) {
  toml::table table;
  try {
    table = toml::parse_file(flags.configFile);
  } catch (const toml::parse_error& e) {
    fail(fmt::format("{}: {}", flags.configFile, e.description()));
  }
  const auto* section = table["agent"].as_table();
  if (!section) fail(fmt::format("{}: no [agent] table", flags.configFile));
  auto text = [&](const char* key, std::string& into, bool flagGiven) {
    if (const auto* node = section->get(key)) {
      const auto* value = node->as_string();
      if (!value) fail(fmt::format("{}: agent.{} must be a string", flags.configFile, key));
      if (!flagGiven) into = value->get();
    }
  };
  text("server", flags.client.server, flags.client.server != ClientFlags{}.server);
  text("device", flags.device, !flags.device.empty());
  text("pat_file", flags.patFile, !flags.patFile.empty());
  text("ca_file", flags.client.caFile, !flags.client.caFile.empty());
  text("handler_timeout", flags.timeout, flags.timeout != AgentFlags{}.timeout);
  text("event_socket", flags.eventSocket, !flags.eventSocket.empty());
  if (const auto* handlers = section->get("handlers")) {
    const auto* list = handlers->as_table();
    if (!list) fail(fmt::format("{}: agent.handlers must be a table", flags.configFile));
    for (const auto& [command, node] : *list) {
      const auto* path = node.as_string();
      if (!path)
        fail(fmt::format("{}: agent.handlers.{} must be a path", flags.configFile, command.str()));
      addHandler(options, command.str(), path->get());
    }
  }
}

int runAgent(AgentFlags flags) {
  initLogging(flags.logLevel);
  agent::AgentOptions options;
  if (!flags.configFile.empty()) applyConfigFile(flags, options);
  for (const auto& handler : flags.handlers) {
    const auto eq = handler.find('=');
    if (eq == std::string::npos)
      fail(fmt::format("bad --handler '{}': use COMMAND=/path", handler));
    addHandler(options, std::string_view(handler).substr(0, eq), handler.substr(eq + 1));
  }
  for (const auto& flag : flags.argRules) {
    const auto eq = flag.find('=');
    if (eq == std::string::npos || eq == 0) {
      fail(fmt::format("bad --args '{}': use COMMAND=RULE, e.g. SET_TEMP=int", flag));
    }
    const auto command = flag.substr(0, eq);
    if (!options.handlers.contains(command)) {
      fail(fmt::format("--args names {}, which has no --handler", command));
    }
    std::string why;
    if (!ArgumentRule::parse(flag.substr(eq + 1), &why)) {
      fail(fmt::format("bad --args for {}: {}", command, why));
    }
    options.argRules[command] = flag.substr(eq + 1);
  }
  options.doubleDash = !flags.noDoubleDash;
  if (flags.device.empty()) fail("--device is required (or agent.device in --config)");
  if (flags.patFile.empty()) fail("--pat-file is required (or agent.pat_file in --config)");
  if (options.handlers.empty()) {
    fail("no handlers: give --handler COMMAND=/path (commands without one are refused)");
  }
  const auto timeout = parseDurationSeconds(flags.timeout);
  if (!timeout || *timeout > 60) fail("bad --timeout: use 1s to 60s");
  const auto connection = connectionOptionsOrFail(flags.client, "agent");
  options.server = connection.server;
  options.tls = connection.tls;
  options.transports = connection.transports;
  options.deviceId = flags.device;
  options.patFile = flags.patFile;
  options.limits.timeout = std::chrono::seconds(*timeout);
  options.eventSocket = flags.eventSocket;

  // Signals go to one thread that asks the agent to stop; every other thread blocks them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  agent::Agent agent(std::move(options));
  std::thread waiter([&agent, signals] {
    int signal = 0;
    sigwait(&signals, &signal);
    if (signal == SIGINT || signal == SIGTERM) agent.stop();
  });
  const int status = agent.run();
  // Wake the signal thread if run() ended on its own.
  pthread_kill(waiter.native_handle(), SIGTERM);
  waiter.join();
  return status;
}

// `latch agent publish`: one event through a running agent's socket; exit 0 once published.
int runPublish(const PublishFlags& flags) {
  auto answer = agent::publishThroughSocket(flags.socket, flags.event);
  if (!answer) failCommand("agent publish", answer.error().message);
  std::puts(answer->c_str());
  return answer->find("\"error\"") == std::string::npos ? 0 : 1;
}

}  // namespace

void addAgentCommand(CLI::App& app) {
  auto flags = std::make_shared<AgentFlags>();
  CLI::App* agent =
      app.add_subcommand("agent", "Run the home hub agent: execute verified commands");
  addClientFlags(*agent, flags->client);
  agent->add_option("--config", flags->configFile, "TOML file with an [agent] table");
  agent->add_option("--device", flags->device, "This device's id (from latch device add)");
  agent->add_option("--pat-file", flags->patFile, "File holding the device's PAT, mode 0600");
  agent->add_option("--handler", flags->handlers,
                    "COMMAND=/absolute/path: the program run for COMMAND (repeatable)");
  agent->add_option("--args", flags->argRules,
                    "COMMAND=RULE: the arguments COMMAND takes, e.g. SET_TEMP=int (repeatable; "
                    "others get the default policy)");
  agent->add_flag("--no-double-dash", flags->noDoubleDash,
                  "Do not put -- before the command's arguments in the handler's argv");
  agent->add_option("--timeout", flags->timeout, "Longest a handler may run (default 10s)");
  agent->add_option("--log-level", flags->logLevel, "trace, debug, info, warn or error");
  agent->add_option(
      "--event-socket", flags->eventSocket,
      "UNIX socket (mode 0600) where local programs publish events, a JSON object a line");
  auto publishFlags = std::make_shared<PublishFlags>();
  CLI::App* publish = agent->add_subcommand("publish", "Publish one event through a running agent");
  publish->add_option("--socket", publishFlags->socket, "The agent's --event-socket")->required();
  publish->add_option("event", publishFlags->event, "The event: one JSON object")->required();
  agent->final_callback([flags, publish, publishFlags] {
    std::exit(publish->parsed() ? runPublish(*publishFlags) : runAgent(*flags));
  });
}

}  // namespace latch::cli
