#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace latch::agent {

// How one run of a command handler ended.
struct HandlerRun {
  enum class End { Exited, Signaled, TimedOut, NotStarted };
  End end = End::NotStarted;
  int exitCode = -1;       // for Exited
  std::string output;      // stdout and stderr, interleaved, at most the limit
  bool truncated = false;  // more output was produced and dropped
  std::chrono::milliseconds elapsed{0};
  std::string error;  // for NotStarted: why
};

// Limits of one handler run.
struct HandlerLimits {
  std::chrono::milliseconds timeout{10'000};  // then the process group is killed
  std::size_t maxOutputBytes = 8 * 1024;      // the server passes back at most 8 KiB
};

// Runs `program` (an absolute path) with `arguments` as argv[1..] directly, never through a
// shell, with stdin from /dev/null, `environment` as its whole environment, in its own
// process group. Captures stdout and stderr up to the limit (the rest is read and dropped so
// the handler never blocks on a full pipe). At the timeout the whole process group gets
// SIGKILL. Blocks the calling thread until the handler has ended. Thread-safe.
HandlerRun runHandler(const std::string& program, const std::vector<std::string>& arguments,
                      const std::vector<std::string>& environment, const HandlerLimits& limits);

}  // namespace latch::agent
