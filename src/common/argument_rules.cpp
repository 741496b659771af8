#include "common/argument_rules.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <boost/json/serialize.hpp>

namespace latch {
namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }

bool isInt(std::string_view s) {
  if (!s.empty() && s.front() == '-') s.remove_prefix(1);
  if (s.empty() || s.size() > 18) return false;
  for (char c : s) {
    if (!isDigit(c)) return false;
  }
  return true;
}

bool isNumber(std::string_view s) {
  const auto dot = s.find('.');
  if (dot == std::string_view::npos) return isInt(s);
  const auto fraction = s.substr(dot + 1);
  if (fraction.empty() || fraction.size() > 18) return false;
  for (char c : fraction) {
    if (!isDigit(c)) return false;
  }
  return isInt(s.substr(0, dot));
}

bool isWordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || isDigit(c) || c == '_' || c == '.' ||
         c == ':' || c == '@' || c == '-';
}

bool isWord(std::string_view s) {
  if (s.empty() || s.size() > 64 || s.front() == '-') return false;
  for (char c : s) {
    if (!isWordChar(c)) return false;
  }
  return true;
}

bool hasControl(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<std::string> defaultArgumentProblem(const std::vector<std::string>& args) {
  if (args.size() > ArgumentRule::kMaxArguments) {
    return fmt::format("at most {} arguments", ArgumentRule::kMaxArguments);
  }
  std::size_t total = 0;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i].size() > ArgumentRule::kMaxArgumentBytes) {
      return fmt::format("argument {} is longer than {} bytes", i + 1,
                         ArgumentRule::kMaxArgumentBytes);
    }
    if (hasControl(args[i])) {
      return fmt::format("argument {} holds a control character", i + 1);
    }
    total += args[i].size();
  }
  if (total > ArgumentRule::kMaxArgumentsBytes) {
    return fmt::format("the arguments are longer than {} bytes in all",
                       ArgumentRule::kMaxArgumentsBytes);
  }
  return std::nullopt;
}

std::optional<ArgumentRule> ArgumentRule::parse(std::string_view text, std::string* problem) {
  auto fail = [&](std::string why) -> std::optional<ArgumentRule> {
    if (problem) *problem = std::move(why);
    return std::nullopt;
  };
  if (text.size() > kMaxRuleBytes) return fail("an argument rule is at most 512 bytes");
  if (hasControl(text)) return fail("an argument rule holds a control character");
  ArgumentRule rule;
  rule.text_ = std::string(trim(text));
  rule.any_ = false;
  if (rule.text_ == "none") return rule;
  std::string_view rest = rule.text_;
  while (true) {
    const auto comma = rest.find(',');
    auto item = trim(rest.substr(0, comma));
    const bool last = comma == std::string_view::npos;
    if (item.size() > 3 && item.substr(item.size() - 3) == "...") {
      if (!last) return fail("only the last shape of an argument rule may end in ...");
      rule.repeatsLast_ = true;
      item = trim(item.substr(0, item.size() - 3));
    }
    Shape shape;
    if (item == "int") {
      shape.kind = Shape::Kind::Int;
    } else if (item == "number") {
      shape.kind = Shape::Kind::Number;
    } else if (item == "word") {
      shape.kind = Shape::Kind::Word;
    } else if (item == "text") {
      shape.kind = Shape::Kind::Text;
    } else if (item.substr(0, 7) == "one-of:") {
      shape.kind = Shape::Kind::OneOf;
      std::string_view choices = item.substr(7);
      while (true) {
        const auto bar = choices.find('|');
        const auto choice = choices.substr(0, bar);
        if (!isWord(choice)) return fail("each one-of choice must be a word");
        shape.choices.emplace_back(choice);
        if (bar == std::string_view::npos) break;
        choices.remove_prefix(bar + 1);
      }
    } else {
      return fail(
          "unknown argument shape (use int, number, word, text, one-of:a|b, or none; a last "
          "shape may end in ...)");
    }
    rule.shapes_.push_back(std::move(shape));
    if (rule.shapes_.size() > kMaxArguments) {
      return fail(fmt::format("an argument rule has at most {} shapes", kMaxArguments));
    }
    if (last) break;
    rest.remove_prefix(comma + 1);
  }
  return rule;
}

std::optional<std::string> ArgumentRule::check(const std::vector<std::string>& args) const {
  if (auto problem = defaultArgumentProblem(args)) return problem;
  if (any_) return std::nullopt;
  const std::size_t fixed = repeatsLast_ ? shapes_.size() - 1 : shapes_.size();
  if (args.size() < fixed || (!repeatsLast_ && args.size() != fixed)) {
    return repeatsLast_ ? fmt::format("takes at least {} arguments", fixed)
                        : fmt::format("takes {} arguments", fixed);
  }
  for (std::size_t i = 0; i < args.size(); ++i) {
    const Shape& shape = shapes_[std::min(i, shapes_.size() - 1)];
    const std::string& a = args[i];
    bool ok = true;
    switch (shape.kind) {
      case Shape::Kind::Int:
        ok = isInt(a);
        break;
      case Shape::Kind::Number:
        ok = isNumber(a);
        break;
      case Shape::Kind::Word:
        ok = isWord(a);
        break;
      case Shape::Kind::Text:
        break;
      case Shape::Kind::OneOf:
        ok = std::find(shape.choices.begin(), shape.choices.end(), a) != shape.choices.end();
        break;
    }
    if (!ok) return fmt::format("argument {} does not match the rule", i + 1);
  }
  return std::nullopt;
}

std::vector<std::string> argumentTexts(const boost::json::array& args) {
  std::vector<std::string> out;
  out.reserve(args.size());
  for (const auto& arg : args) {
    out.push_back(arg.is_string() ? std::string(arg.as_string()) : boost::json::serialize(arg));
  }
  return out;
}

}  // namespace latch
