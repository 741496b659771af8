#include "cli/duration.hpp"

#include <charconv>

namespace latch::cli {

std::optional<std::int64_t> parseDurationSeconds(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::int64_t unit = 1;
  switch (text.back()) {
    case 's':
      unit = 1;
      text.remove_suffix(1);
      break;
    case 'm':
      unit = 60;
      text.remove_suffix(1);
      break;
    case 'h':
      unit = 3600;
      text.remove_suffix(1);
      break;
    case 'd':
      unit = 86400;
      text.remove_suffix(1);
      break;
    default:
      break;
  }
  std::int64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  constexpr std::int64_t kYear = 366 * 86400;
  if (value <= 0 || value > kYear / unit) return std::nullopt;
  return value * unit;
}

}  // namespace latch::cli
