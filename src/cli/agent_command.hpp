#pragma once

#include <CLI/App.hpp>

namespace latch::cli {

// `latch agent --server URL --device ID --pat-file F --handler CMD=/path ...`: the home hub
// agent (src/agent), until SIGINT/SIGTERM or a final error.
void addAgentCommand(CLI::App& app);

}  // namespace latch::cli
