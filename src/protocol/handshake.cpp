#include "protocol/handshake.hpp"

#include <boost/json/parse.hpp>

#include <fmt/format.h>

#include "protocol/message_writer.hpp"
#include "protocol/record_splitter.hpp"

namespace latch::protocol {
namespace json = boost::json;

ProtocolResult<HandshakeRequest> parseHandshakeRequest(std::string_view text) {
  json::parse_options options;
  options.max_depth = 4;
  boost::system::error_code ec;
  const json::value doc = json::parse(json::string_view(text.data(), text.size()), ec, {}, options);
  if (ec || !doc.is_object()) {
    return makeError(ProtocolErrc::InvalidJson, "Handshake request is not a JSON object.");
  }
  const json::object& o = doc.get_object();
  const json::value* protocol = o.if_contains("protocol");
  const json::value* version = o.if_contains("version");
  if (protocol == nullptr || !protocol->is_string()) {
    return makeError(ProtocolErrc::MissingField, "Handshake request must name a 'protocol'.");
  }
  if (version == nullptr || !version->is_int64()) {
    return makeError(ProtocolErrc::MissingField, "Handshake request must give a 'version'.");
  }
  HandshakeRequest request{std::string(protocol->get_string()), version->get_int64()};
  if (request.protocol != kJsonProtocol) {
    // The name is client text: only echo it when it is short and printable.
    const bool printable = request.protocol.size() <= 32 &&
                           std::all_of(request.protocol.begin(), request.protocol.end(),
                                       [](char c) { return c >= 0x20 && c < 0x7f; });
    return makeError(ProtocolErrc::UnsupportedProtocol,
                     printable
                         ? fmt::format("The protocol '{}' is not supported.", request.protocol)
                         : std::string("The requested protocol is not supported."));
  }
  if (request.version != kJsonProtocolVersion) {
    return makeError(ProtocolErrc::UnsupportedVersion,
                     fmt::format("The server does not support version {} of the 'json' protocol.",
                                 request.version));
  }
  return request;
}

std::string handshakeResponse(std::optional<std::string_view> error) {
  std::string out;
  if (error) {
    out = R"({"error":)";
    appendJsonString(out, *error);
    out += '}';
  } else {
    out = "{}";
  }
  out += kRecordSeparator;
  return out;
}

}  // namespace latch::protocol
