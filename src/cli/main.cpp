// The `latch` binary: argument parsing and subcommands only.
#include <CLI/CLI.hpp>

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
  CLI11_PARSE(app, argc, argv);
  return 0;
}
