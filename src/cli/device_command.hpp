#pragma once

#include <CLI/App.hpp>

namespace latch::cli {

// Adds `latch device add HOME NAME --commands A,B [--owner-only A]` (prints the device id and
// its PAT, once), `latch device list [--home H]` and `latch device revoke ID` to `app`.
void addDeviceCommand(CLI::App& app);

}  // namespace latch::cli
