#pragma once

#include <CLI/App.hpp>

namespace latch::cli {

// Adds `latch audit list [--home H] [--limit N]` and `latch audit verify` to `app`.
void addAuditCommand(CLI::App& app);

}  // namespace latch::cli
