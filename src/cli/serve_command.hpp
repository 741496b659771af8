#pragma once

#include <CLI/App.hpp>

namespace latch::hub {
class Hub;
}

namespace latch::cli {

// Adds `latch serve` to `app`. `extraMethods` (may be null) registers more hub methods
// before the server starts (the test-hook build uses it).
void addServeCommand(CLI::App& app, void (*extraMethods)(hub::Hub&));

}  // namespace latch::cli
