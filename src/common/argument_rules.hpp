#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/array.hpp>

namespace latch {

// What arguments a command may carry to a device's handler (issue 13: members must not be
// able to pass `-rf`, newlines or a thousand arguments to a program on the hub).
//
// Every command gets the default policy: at most kMaxArguments arguments, each at most
// kMaxArgumentBytes, kMaxArgumentsBytes in all, no control characters (NUL, newline, CR,
// escape...). A device may also declare a rule per command, checked by the server before
// dispatch and by the agent again. A rule is a comma-separated list of shapes, one per
// argument; the command takes exactly that many (`none`: no arguments), except that a last
// shape ending in `...` repeats (zero or more times, within the default caps):
//   int          an optional minus and 1..18 digits
//   number       an int with an optional fraction (digits after a dot)
//   word         1..64 of A-Z a-z 0-9 _ . : @ -, not starting with `-`
//   text         anything the default policy allows
//   one-of:a|b   exactly one of the listed words
// For example `SET_TEMP=int`, `SET_MODE=one-of:heat|cool|off`, `SAY=text...`.
class ArgumentRule {
 public:
  static constexpr std::size_t kMaxArguments = 16;
  static constexpr std::size_t kMaxArgumentBytes = 256;
  static constexpr std::size_t kMaxArgumentsBytes = 2048;
  static constexpr std::size_t kMaxRuleBytes = 512;

  // The rule written as `text`, or a one-line reason it is not a rule.
  static std::optional<ArgumentRule> parse(std::string_view text, std::string* problem = nullptr);

  // Nullopt when `args` pass the default policy and this rule; else why not, safe to show
  // (it never quotes an argument).
  std::optional<std::string> check(const std::vector<std::string>& args) const;

  const std::string& text() const { return text_; }

 private:
  struct Shape {
    enum class Kind { Int, Number, Word, Text, OneOf } kind = Kind::Text;
    std::vector<std::string> choices;  // OneOf
  };
  std::string text_;
  std::vector<Shape> shapes_;
  bool repeatsLast_ = false;
  bool any_ = true;  // no rule: the default policy only
};

// The default policy alone: nullopt when `args` pass it.
std::optional<std::string> defaultArgumentProblem(const std::vector<std::string>& args);

// A command's JSON arguments as argv strings: strings as they are, anything else as its JSON
// text (the same on the server and the agent, so both check what the handler will get).
std::vector<std::string> argumentTexts(const boost::json::array& args);

}  // namespace latch
