#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>

#include "loadgen/load_error.hpp"
#include "loadgen/run_options.hpp"
#include "loadgen/run_phase.hpp"

namespace latch::loadgen {

// What the window measured.
struct Window {
  double measuredSeconds = 0;
  std::uint64_t clientCpuMicros = 0;             // this process's, all threads
  std::optional<std::uint64_t> serverCpuMicros;  // with a serverPid
  std::uint64_t clientThreads = 0;               // this process's threads, while measuring
  std::int64_t unanswered = 0;                   // still outstanding after the drain
};

// Drives a run whose loops are already going: the warm-up, then Phase::Measure for the
// duration (reading CPU times at both ends), then Phase::Done and waiting until `outstanding`
// is zero or `drainFor` is up. `stopSending`, if given, runs between the two: it must return
// only once nothing sends any more (a pacer's thread may have passed its check of the phase
// just before Done and still be sending; the drain must count that command). Blocking, on the
// run's own thread. System when the server's CPU time cannot be read.
[[nodiscard]] LoadResult<Window> measureWindow(const RunOptions& run,
                                               std::chrono::milliseconds drainFor,
                                               std::atomic<Phase>& phase,
                                               const std::atomic<std::int64_t>& outstanding,
                                               const std::function<void()>& stopSending = {});

}  // namespace latch::loadgen
