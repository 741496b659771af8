#include "protocol/negotiate.hpp"

#include <charconv>

#include "protocol/message_writer.hpp"

namespace latch::protocol {

ProtocolResult<int> chooseNegotiateVersion(std::optional<std::string_view> requested) {
  if (!requested) return 0;
  int version = 0;
  const char* begin = requested->data();
  const char* end = begin + requested->size();
  const auto [ptr, ec] = std::from_chars(begin, end, version);
  if (requested->empty() || ec != std::errc() || ptr != end || version < 0) {
    return makeError(ProtocolErrc::InvalidValue, "negotiateVersion must be a whole number.");
  }
  return version > kMaxNegotiateVersion ? kMaxNegotiateVersion : version;
}

std::string negotiateResponse(int version, std::string_view connectionId,
                              std::string_view connectionToken) {
  std::string out = R"({"connectionId":)";
  appendJsonString(out, connectionId);
  if (version >= 1) {
    out += R"(,"connectionToken":)";
    appendJsonString(out, connectionToken);
  }
  out += R"(,"negotiateVersion":)";
  out += std::to_string(version);
  out += R"(,"availableTransports":[)"
         R"({"transport":"WebSockets","transferFormats":["Text"]},)"
         R"({"transport":"ServerSentEvents","transferFormats":["Text"]},)"
         R"({"transport":"LongPolling","transferFormats":["Text"]}]})";
  return out;
}

std::string negotiateError(std::string_view error) {
  std::string out = R"({"error":)";
  appendJsonString(out, error);
  out += '}';
  return out;
}

}  // namespace latch::protocol
