// `latch-agent`: `latch agent` alone, for the home hub. The same code, without the server,
// the store or the load generator linked in: a smaller program whose resident memory is the
// agent's (`latch-agent ARGS` is `latch agent ARGS`).
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/agent_command.hpp"
#include "cli/run_app.hpp"

int main(int argc, char** argv) {
  CLI::App app{"latch-agent: the Latch home hub agent (latch agent)"};
  app.require_subcommand(1);
  latch::cli::addAgentCommand(app);
  std::vector<const char*> args{argv[0], "agent"};
  for (int i = 1; i < argc; ++i) args.push_back(argv[i]);
  return latch::cli::runApp(app, static_cast<int>(args.size()), args.data());
}
