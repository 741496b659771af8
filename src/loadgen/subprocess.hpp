#pragma once

#include <string>
#include <vector>

#include "loadgen/load_error.hpp"

namespace latch::loadgen {

// What a finished child process printed and how it ended.
struct ProcessOutput {
  int exitStatus = 0;  // the exit code; 128 + the signal number if a signal ended it
  std::string out;     // everything it wrote to stdout
  std::string err;     // everything it wrote to stderr
};

// Runs argv[0] (found on PATH when it has no slash) with the arguments argv[1...], no shell,
// stdin closed, stdout and stderr captured; waits for it to end. System when it cannot be
// started. Blocking: call it only outside the measured run. Not thread-safe with other
// callers that reap children (waitpid(-1)).
[[nodiscard]] LoadResult<ProcessOutput> runProcess(const std::vector<std::string>& argv);

}  // namespace latch::loadgen
