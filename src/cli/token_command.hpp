#pragma once

#include <CLI/App.hpp>

namespace latch::cli {

// Adds `latch token issue` to `app`.
void addTokenCommand(CLI::App& app);

}  // namespace latch::cli
