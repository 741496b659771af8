#include "client/detail/negotiation.hpp"

#include <algorithm>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <fmt/format.h>

namespace latch::client::detail {

namespace json = boost::json;

bool Negotiation::offers(std::string_view transport) const {
  return std::find(textTransports.begin(), textTransports.end(), transport) != textTransports.end();
}

ClientResult<Negotiation> parseNegotiation(std::string_view body) {
  boost::system::error_code ec;
  const auto value = json::parse(body, ec);
  if (ec || !value.is_object()) {
    return makeError(ClientErrc::Protocol, "the negotiate response is not a JSON object");
  }
  const auto& object = value.as_object();
  if (const auto* error = object.if_contains("error"); error && error->is_string()) {
    std::string text(error->as_string());
    if (text.size() > 200) text.resize(200);
    return makeError(ClientErrc::Refused, fmt::format("negotiate refused: {}", text));
  }
  if (object.contains("url")) {
    return makeError(ClientErrc::Protocol, "negotiate redirects are not supported");
  }
  Negotiation out;
  const auto* version = object.if_contains("negotiateVersion");
  const bool v1 = version && version->is_int64() && version->as_int64() >= 1;
  const auto* id = object.if_contains(v1 ? "connectionToken" : "connectionId");
  if (!id || !id->is_string() || id->as_string().empty()) {
    return makeError(ClientErrc::Protocol, "the negotiate response has no connection token");
  }
  out.connectionToken = std::string(id->as_string());
  const auto* transports = object.if_contains("availableTransports");
  if (!transports || !transports->is_array()) {
    return makeError(ClientErrc::Protocol, "the negotiate response lists no transports");
  }
  for (const auto& entry : transports->as_array()) {
    if (!entry.is_object()) continue;
    const auto* name = entry.as_object().if_contains("transport");
    const auto* formats = entry.as_object().if_contains("transferFormats");
    if (!name || !name->is_string() || !formats || !formats->is_array()) continue;
    const auto& list = formats->as_array();
    if (std::any_of(list.begin(), list.end(), [](const json::value& f) {
          return f.is_string() && f.as_string() == "Text";
        })) {
      out.textTransports.emplace_back(name->as_string());
    }
  }
  return out;
}

}  // namespace latch::client::detail
