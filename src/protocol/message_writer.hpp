#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

namespace latch::protocol {

// Writers of outgoing JSON hub messages. Each appends one complete message, terminated by
// the record separator, to `out` (so several can be batched into one transport write).
// All string arguments must be valid UTF-8; they are escaped as JSON requires.

void writeCompletionResult(std::string& out, std::string_view invocationId,
                           const boost::json::value& result);
void writeCompletionVoid(std::string& out, std::string_view invocationId);
void writeCompletionError(std::string& out, std::string_view invocationId, std::string_view error);
// Invocation; `invocationId` empty means non-blocking (no response expected).
void writeInvocation(std::string& out, std::string_view invocationId, std::string_view target,
                     const boost::json::array& arguments);
void writePing(std::string& out);
void writeClose(std::string& out, std::optional<std::string_view> error, bool allowReconnect);

// Appends `text` as a quoted JSON string.
void appendJsonString(std::string& out, std::string_view text);
// Appends the compact JSON text of `value`.
void appendJsonValue(std::string& out, const boost::json::value& value);

}  // namespace latch::protocol
