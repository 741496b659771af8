#pragma once

#include <CLI/App.hpp>

namespace latch::cli {

// `latch bench relay|echo`: the load generator, on the C++ client library (src/loadgen).
// `relay` provisions homes, devices and users on a running server and measures signed
// commands end to end; `echo` measures round trips against a server with test hooks.
void addBenchCommand(CLI::App& app);

}  // namespace latch::cli
