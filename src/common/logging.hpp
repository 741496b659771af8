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

// `value` (anything a client chose: an id, a method name, a reason it sent) made safe for one
// log line: control characters and backslashes escaped (\n, \r, \t, \xHH, \\), so it can
// never end the line and start a forged one; quoted, with its quotes escaped, when it holds a
// space, '=' or '"', so it cannot pass for another field of the same line. Empty gives "".
std::string logField(std::string_view value);

}  // namespace latch
