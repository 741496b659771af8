#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "loadgen/load_error.hpp"

namespace latch::loadgen {

// How many of a run's commands the audit log held, and when.
struct AuditCount {
  std::uint64_t atFirstLook = 0;        // command records found right after the run
  std::uint64_t found = 0;              // at the last look
  std::chrono::milliseconds waited{0};  // from the start of the first look to the end of the last
  int looks = 0;
};

// Counts the audit records of kind "command" by `subjects` stamped at or after `sinceMs`
// among the newest `expected` records (`latch audit list --limit`), looking again every
// 200 ms until there are `expected` or `maxWait` has passed. The server's audit writer appends
// from a queue, so the last records of a busy run may take a moment to land. Counted by actor,
// not home: a command refused before its message is read (a bad envelope, the nonce cache)
// is recorded without a home. Blocking; System or Protocol when the CLI fails.
[[nodiscard]] LoadResult<AuditCount> countCommandRecords(const std::string& latchPath,
                                                         const std::string& dataDir,
                                                         const std::vector<std::string>& subjects,
                                                         std::int64_t sinceMs,
                                                         std::uint64_t expected,
                                                         std::chrono::milliseconds maxWait);

}  // namespace latch::loadgen
