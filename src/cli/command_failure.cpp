#include "cli/command_failure.hpp"

#include <cstdio>
#include <cstdlib>

#include <fmt/core.h>

namespace latch::cli {

void failCommand(std::string_view command, std::string_view message) {
  fmt::print(stderr, "latch {}: {}\n", command, message);
  std::exit(1);
}

}  // namespace latch::cli
