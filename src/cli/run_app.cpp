#include "cli/run_app.hpp"

#include <cstdio>
#include <string>

#include <fmt/format.h>

namespace latch::cli {

int runApp(CLI::App& app, int argc, const char* const* argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help
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

}  // namespace latch::cli
