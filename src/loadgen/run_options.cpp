#include "loadgen/run_options.hpp"

#include <fmt/format.h>

namespace latch::loadgen {

LoadResult<void> validateRun(const RunOptions& run, std::size_t maxInflight) {
  if (run.inflight == 0 || run.inflight > maxInflight) {
    return makeError(LoadErrc::BadArgument,
                     fmt::format("--inflight must be >= 1 and at most {}", maxInflight));
  }
  if (!(run.durationSeconds > 0) || !(run.warmUpSeconds >= 0)) {
    return makeError(LoadErrc::BadArgument, "--duration must be > 0 and --warmup >= 0");
  }
  return {};
}

}  // namespace latch::loadgen
