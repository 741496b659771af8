#include "common/logging.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace latch {

void initLogging(std::string_view level) {
  auto logger = spdlog::stderr_color_mt("latch");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  logger->set_level(spdlog::level::from_str(std::string(level)));
  spdlog::set_default_logger(logger);
}

std::string redactTarget(std::string_view target) {
  const auto q = target.find('?');
  if (q == std::string_view::npos) return std::string(target);
  std::string out(target.substr(0, q + 1));
  std::string_view query = target.substr(q + 1);
  bool first = true;
  while (true) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    if (!first) out += '&';
    first = false;
    const auto eq = pair.find('=');
    const std::string_view key = pair.substr(0, eq);
    // Match the key however it is percent-encoded or cased: never risk logging a token.
    std::string lowered;
    for (const char c : key)
      lowered += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lowered == "access_token" || lowered.find('%') != std::string::npos) {
      out.append(key);
      out += "=[redacted]";
    } else {
      out.append(pair);
    }
    if (amp == std::string_view::npos) break;
    query = query.substr(amp + 1);
  }
  return out;
}

std::string logField(std::string_view value) {
  const bool quote = value.empty() || value.find_first_of(" =\"") != std::string_view::npos;
  std::string out;
  out.reserve(value.size() + 2);
  if (quote) out += '"';
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '"':
        out += "\\\"";  // quoted: the value holds a '"'
        break;
      default:
        if (u < 0x20 || u == 0x7f) {
          static constexpr char kHex[] = "0123456789abcdef";
          out += "\\x";
          out += kHex[u >> 4];
          out += kHex[u & 0xf];
        } else {
          out += c;
        }
    }
  }
  if (quote) out += '"';
  return out;
}

}  // namespace latch
