// The `latch` binary: argument parsing and subcommands only.
#include <CLI/CLI.hpp>

#include "cli/agent_command.hpp"
#include "cli/audit_command.hpp"
#include "cli/bench_command.hpp"
#include "cli/device_command.hpp"
#include "cli/home_command.hpp"
#include "cli/run_app.hpp"
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
  return latch::cli::runApp(app, argc, argv);
}
