// The `latch` binary: argument parsing and subcommands only.
#include <cstdio>
#include <string>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cli/agent_command.hpp"
#include "cli/audit_command.hpp"
#include "cli/bench_command.hpp"
#include "cli/device_command.hpp"
#include "cli/home_command.hpp"
#include "cli/send_command.hpp"
#include "cli/serve_command.hpp"
#include "cli/token_command.hpp"
#include "hub/builtin_methods.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Latch: a secure real-time command relay for home automation"};
  app.require_subcommand(1);
#ifdef LATCH_TEST_HOOKS
  latch::cli::addServeCommand(app, &latch::hub::registerTestMethodsForTest);
#else
  latch::cli::addServeCommand(app, nullptr);
#endif
  latch::cli::addTokenCommand(app);
  latch::cli::addHomeCommand(app);
  latch::cli::addDeviceCommand(app);
  latch::cli::addAuditCommand(app);
  latch::cli::addSendCommand(app);
  latch::cli::addAgentCommand(app);
  latch::cli::addBenchCommand(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help
    // One line, like every other error: "latch home add: --owner is required (see --help)".
    std::string command = "latch";
    for (const CLI::App* sub = &app; !sub->get_subcommands().empty();) {
      sub = sub->get_subcommands().front();
      command += " " + sub->get_name();
    }
    fmt::print(stderr, "{}: {} (see --help)\n", command, e.what());
    return 1;
  }
  return 0;
}
