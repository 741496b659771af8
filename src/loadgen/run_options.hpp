#pragma once

#include <chrono>
#include <cstddef>
#include <optional>

#include "loadgen/load_error.hpp"

namespace latch::loadgen {

// What every `latch bench` run shares: when it measures, how hard each connection pushes, the
// client threads, whose CPU time it reads and how it reports.
struct RunOptions {
  // The client's own limit on invocations awaiting a result (ConnectionOptions).
  static constexpr std::size_t kMaxInflight = 1000;

  double durationSeconds = 10;   // measured time, after the warm-up
  double warmUpSeconds = 1;      // answers before this are not timed
  std::size_t inflight = 1;      // invocations outstanding per connection
  unsigned threads = 1;          // client I/O threads all connections share; 0: one each
  std::optional<int> serverPid;  // whose CPU time to report per answer; none: not read
  bool json = false;             // print one JSON object instead of the summary
};

// BadArgument unless the duration is positive, the warm-up not negative and `inflight` from
// 1 to `maxInflight`.
[[nodiscard]] LoadResult<void> validateRun(const RunOptions& run, std::size_t maxInflight);

}  // namespace latch::loadgen
