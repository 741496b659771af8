#pragma once

#include <CLI/App.hpp>

namespace latch::cli {

// `latch send --server URL --token-file F HOME DEVICE COMMAND [ARGS...]`: signs the command's
// envelope with the token file's session key, sends it, prints the outcome; exit status 0
// only for "ok".
void addSendCommand(CLI::App& app);

}  // namespace latch::cli
