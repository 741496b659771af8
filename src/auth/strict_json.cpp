#include "auth/strict_json.hpp"

#include <cmath>
#include <exception>
#include <set>
#include <string>
#include <vector>

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/value_stack.hpp>

namespace latch::auth {
namespace json = boost::json;

namespace {

// Builds the value like boost::json::parser's own handler does, and also remembers the
// member names of every open object so that a repeated name fails the parse at once
// (value_stack::push_object would silently keep only the last duplicate).
class StrictHandler {
 public:
  static constexpr std::size_t max_object_size = json::object::max_size();
  static constexpr std::size_t max_array_size = json::array::max_size();
  static constexpr std::size_t max_key_size = json::string::max_size();
  static constexpr std::size_t max_string_size = json::string::max_size();

  json::value_stack stack;
  bool duplicate = false;

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }

  bool on_object_begin(json::error_code&) {
    keys_.emplace_back();
    return true;
  }
  bool on_object_end(std::size_t n, json::error_code&) {
    keys_.pop_back();
    stack.push_object(n);
    return true;
  }
  bool on_array_begin(json::error_code&) { return true; }
  bool on_array_end(std::size_t n, json::error_code&) {
    stack.push_array(n);
    return true;
  }

  bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
    key_.append(s.data(), s.size());
    stack.push_chars(s);
    return true;
  }
  bool on_key(json::string_view s, std::size_t, json::error_code& ec) {
    key_.append(s.data(), s.size());
    const bool fresh = keys_.back().insert(std::move(key_)).second;
    key_.clear();
    if (!fresh) {
      duplicate = true;
      ec = json::error::syntax;  // any error stops the parser; `duplicate` says which
      return false;
    }
    stack.push_key(s);
    return true;
  }

  bool on_string_part(json::string_view s, std::size_t, json::error_code&) {
    stack.push_chars(s);
    return true;
  }
  bool on_string(json::string_view s, std::size_t, json::error_code&) {
    stack.push_string(s);
    return true;
  }

  bool on_number_part(json::string_view, json::error_code&) { return true; }
  bool on_int64(std::int64_t i, json::string_view, json::error_code&) {
    stack.push_int64(i);
    return true;
  }
  bool on_uint64(std::uint64_t u, json::string_view, json::error_code&) {
    stack.push_uint64(u);
    return true;
  }
  bool on_double(double d, json::string_view, json::error_code& ec) {
    if (!std::isfinite(d)) {
      ec = json::error::exponent_overflow;
      return false;
    }
    stack.push_double(d);
    return true;
  }
  bool on_bool(bool b, json::error_code&) {
    stack.push_bool(b);
    return true;
  }
  bool on_null(json::error_code&) {
    stack.push_null();
    return true;
  }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }

 private:
  std::vector<std::set<std::string, std::less<>>> keys_;  // one set per open object
  std::string key_;                                       // the member name being read
};

AuthResult<json::value> parse(std::string_view text, const StrictJsonLimits& limits) {
  json::parse_options options;
  options.max_depth = limits.maxDepth;
  options.allow_comments = false;
  options.allow_trailing_commas = false;
  options.allow_invalid_utf8 = false;
  json::basic_parser<StrictHandler> parser(options);
  parser.handler().stack.reset();
  json::error_code ec;
  const std::size_t used = parser.write_some(false, text.data(), text.size(), ec);
  if (parser.handler().duplicate) {
    return makeError(AuthErrc::DuplicateKey, "JSON object repeats a member name.");
  }
  if (ec || used != text.size() || !parser.done()) {
    return makeError(AuthErrc::Malformed, "Not a valid JSON text.");
  }
  return parser.handler().stack.release();
}

}  // namespace

AuthResult<json::value> parseStrictJson(std::string_view text, const StrictJsonLimits& limits) {
  if (text.size() > limits.maxBytes) {
    return makeError(AuthErrc::TooLarge, "JSON text is too large.");
  }
  try {
    return parse(text, limits);
  } catch (const std::exception&) {
    // Only allocation can throw here; the input is small and bounded.
    return makeError(AuthErrc::Malformed, "JSON text could not be parsed.");
  }
}

}  // namespace latch::auth
