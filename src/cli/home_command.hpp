#pragma once

#include <CLI/App.hpp>

namespace latch::cli {

// Adds `latch home add NAME --owner SUB`, `latch home list` and
// `latch home member add HOME SUB --role owner|member` to `app`.
void addHomeCommand(CLI::App& app);

}  // namespace latch::cli
