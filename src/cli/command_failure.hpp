#pragma once

#include <string_view>

namespace latch::cli {

// Prints "latch <command>: <message>" on stderr and exits with status 1. In a file of its
// own so that the agent alone (latch-agent) does not link the store with it.
[[noreturn]] void failCommand(std::string_view command, std::string_view message);

}  // namespace latch::cli
