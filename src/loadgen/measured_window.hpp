#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>

#include "loadgen/load_error.hpp"
#include "loadgen/run_phase.hpp"

namespace latch::loadgen {

// When a run measures, and for how long it waits for the last answers.
struct WindowOptions {
  double warmUpSeconds = 1;
  double durationSeconds = 10;
  std::chrono::milliseconds drainFor{2000};  // after the window, for answers still due
  std::optional<int> serverPid;              // whose CPU time to read; none: not read
};

// What the window measured.
struct Window {
  double measuredSeconds = 0;
  std::uint64_t clientCpuMicros = 0;             // this process's, all threads
  std::optional<std::uint64_t> serverCpuMicros;  // with a serverPid
  std::int64_t unanswered = 0;                   // still outstanding after the drain
};

// Drives a run whose loops are already going: the warm-up, then Phase::Measure for the
// duration (reading CPU times at both ends), then Phase::Done and waiting until `outstanding`
// is zero or the drain time is up. Blocking, on the run's own thread. System when the
// server's CPU time cannot be read.
[[nodiscard]] LoadResult<Window> measureWindow(const WindowOptions& options,
                                               std::atomic<Phase>& phase,
                                               const std::atomic<std::int64_t>& outstanding);

}  // namespace latch::loadgen
