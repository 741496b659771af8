#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace latch::cli {

// Seconds in a duration such as "900", "900s", "15m", "2h" or "1d"; nullopt when it is not
// one, not positive, or above a year.
std::optional<std::int64_t> parseDurationSeconds(std::string_view text);

}  // namespace latch::cli
