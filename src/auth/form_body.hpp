#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace latch::auth {

// An application/x-www-form-urlencoded body (RFC 6749 appendix B), decoded.
class FormBody {
 public:
  // The decoded pairs, or nullopt for a body that breaks the encoding: a bad %-escape, a
  // parameter without a name, or a parameter given twice (RFC 6749 3.2: parameters must not
  // repeat). `maxParams` bounds the work on hostile input.
  static std::optional<FormBody> parse(std::string_view body, std::size_t maxParams = 32);

  // The value of `name`, or nullopt.
  std::optional<std::string_view> get(std::string_view name) const;

 private:
  std::vector<std::pair<std::string, std::string>> params_;
};

}  // namespace latch::auth
