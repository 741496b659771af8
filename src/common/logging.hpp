#pragma once

#include <string>
#include <string_view>

#include <spdlog/spdlog.h>

namespace latch {

// Sets up the process-wide logger (stderr, one line per event). Call once at start.
void initLogging(std::string_view level);

// `target` (an HTTP request target) with the value of every `access_token` query parameter
// replaced by "[redacted]": the only form in which request targets may be logged.
std::string redactTarget(std::string_view target);

}  // namespace latch
