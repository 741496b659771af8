#include "store/validation.hpp"

#include <algorithm>
#include <cstdint>

#include <fmt/format.h>

namespace latch::store {
namespace {

constexpr std::size_t kMaxNameChars = 64;      // fits a list column and a phone screen
constexpr std::size_t kMaxCommandChars = 64;   // e.g. SET_TARGET_TEMPERATURE_LIVING_ROOM
constexpr std::size_t kMaxSubjectBytes = 255;  // OpenID Connect: sub is at most 255 ASCII

// The number of code points in `text`, or nullopt if it is not valid UTF-8 (overlong
// encodings, surrogates and values past U+10FFFF included) or holds a control character.
std::optional<std::size_t> printableCodePoints(std::string_view text) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < text.size(); ++count) {
    const auto lead = static_cast<std::uint8_t>(text[i]);
    std::size_t extra = 0;
    std::uint32_t cp = lead;
    if (lead < 0x80) {
      if (lead < 0x20 || lead == 0x7f) return std::nullopt;
    } else if ((lead & 0xe0) == 0xc0) {
      extra = 1, cp = lead & 0x1f;
    } else if ((lead & 0xf0) == 0xe0) {
      extra = 2, cp = lead & 0x0f;
    } else if ((lead & 0xf8) == 0xf0) {
      extra = 3, cp = lead & 0x07;
    } else {
      return std::nullopt;
    }
    if (i + extra >= text.size()) return std::nullopt;
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto next = static_cast<std::uint8_t>(text[i + k]);
      if ((next & 0xc0) != 0x80) return std::nullopt;
      cp = (cp << 6) | (next & 0x3f);
    }
    static constexpr std::uint32_t kMinForLength[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMinForLength[extra] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
        (cp >= 0x80 && cp < 0xa0)) {
      return std::nullopt;
    }
    i += extra + 1;
  }
  return count;
}

}  // namespace

std::optional<std::string> nameProblem(std::string_view what, std::string_view name) {
  const auto chars = printableCodePoints(name);
  if (!chars) return fmt::format("a {} must be UTF-8 text without control characters", what);
  if (*chars == 0) return fmt::format("a {} must not be empty", what);
  if (*chars > kMaxNameChars) {
    return fmt::format("a {} must be at most {} characters", what, kMaxNameChars);
  }
  if (name.front() == ' ' || name.back() == ' ') {
    return fmt::format("a {} must not start or end with a space", what);
  }
  return std::nullopt;
}

std::optional<std::string> commandProblem(std::string_view command) {
  const bool shaped = !command.empty() && command.size() <= kMaxCommandChars &&
                      command.front() >= 'A' && command.front() <= 'Z' &&
                      std::all_of(command.begin(), command.end(), [](char c) {
                        return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
                      });
  if (shaped) return std::nullopt;
  const bool quotable = printableCodePoints(command).has_value() && command.size() <= 80;
  return fmt::format("bad command name{}: use 1 to {} of A-Z, 0-9 and _, starting with a letter",
                     quotable ? fmt::format(" '{}'", command) : std::string(), kMaxCommandChars);
}

std::optional<std::string> subjectProblem(std::string_view subject) {
  if (subject.empty()) return "a subject must not be empty";
  if (subject.size() > kMaxSubjectBytes) {
    return fmt::format("a subject must be at most {} characters", kMaxSubjectBytes);
  }
  if (!std::all_of(subject.begin(), subject.end(), [](char c) { return c > 0x20 && c < 0x7f; })) {
    return "a subject must be printable ASCII without spaces";
  }
  return std::nullopt;
}

std::string idForMessage(std::string_view id) {
  const bool safe = !id.empty() && id.size() <= 64 &&
                    std::all_of(id.begin(), id.end(), [](char c) { return c > 0x20 && c < 0x7f; });
  return safe ? std::string(id) : std::string("(unprintable id)");
}

}  // namespace latch::store
