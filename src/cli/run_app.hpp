#pragma once

#include <CLI/CLI.hpp>

namespace latch::cli {

// Parses the command line and runs the chosen subcommand; a usage error is one line on
// stderr ("latch home add: --owner is required (see --help)") and status 1.
int runApp(CLI::App& app, int argc, const char* const* argv);

}  // namespace latch::cli
