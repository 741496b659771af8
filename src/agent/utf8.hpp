#pragma once

#include <string>
#include <string_view>

namespace latch::agent {

// `text` as valid UTF-8: every invalid sequence (a stray byte, a cut sequence, an overlong
// form, a surrogate) becomes U+FFFD. Handler output is arbitrary bytes; the hub protocol
// carries JSON text. Thread-safe.
std::string toValidUtf8(std::string_view text);

}  // namespace latch::agent
