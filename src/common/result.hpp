#pragma once

#include <string>
#include <utility>

#include <boost/system/result.hpp>

namespace latch {

// An error that crosses a layer: a code the caller can switch on and a short message that
// is safe to show to a client (it never contains secrets or the input that caused it).
template <class Code>
struct Error {
  Code code;
  std::string message;
};

// Fallible calls return Result<T, Error<LayerErrc>>; nothing throws across a layer.
template <class T, class Code>
using Result = boost::system::result<T, Error<Code>>;

template <class Code>
[[noreturn]] void throw_exception_from_error(const Error<Code>& e,
                                             const boost::source_location& loc) {
  boost::throw_exception(std::runtime_error(e.message), loc);
}

template <class Code>
Error<Code> makeError(Code code, std::string message) {
  return Error<Code>{code, std::move(message)};
}

}  // namespace latch
