#include "relay/command_message.hpp"

#include <algorithm>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace latch::relay {
namespace {

Error<MessageErrc> bad(std::string why) {
  return makeError(MessageErrc::Invalid, "Command message " + std::move(why));
}

bool isId(std::string_view s) { return !s.empty() && s.size() <= 64; }

}  // namespace

bool isValidCommandName(std::string_view name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

Result<CommandMessage, MessageErrc> parseCommandMessage(std::string_view msg) {
  boost::system::error_code ec;
  auto value = boost::json::parse(msg, ec);
  if (ec) return bad("is not valid JSON.");
  const auto* o = value.if_object();
  if (!o) return bad("is not a JSON object.");
  CommandMessage m;
  bool hasHome = false, hasDevice = false, hasCommand = false;
  for (const auto& [key, v] : *o) {
    if (key == "home" || key == "device" || key == "command") {
      const auto* s = v.if_string();
      if (!s) return bad("fields home, device and command must be strings.");
      const std::string_view text(s->data(), s->size());
      if (key == "command") {
        if (!isValidCommandName(text)) return bad("has an invalid command name.");
        m.command = text;
        hasCommand = true;
      } else {
        if (!isId(text)) return bad("has an invalid home or device id.");
        (key == "home" ? m.home : m.device) = text;
        (key == "home" ? hasHome : hasDevice) = true;
      }
    } else if (key == "args") {
      const auto* a = v.if_array();
      if (!a) return bad("field args must be an array.");
      m.args = *a;
    } else if (key == "queue") {
      if (!v.is_bool()) return bad("field queue must be a boolean.");
      m.queue = v.get_bool();
    } else {
      return bad("has an unknown field.");
    }
  }
  if (!hasHome || !hasDevice || !hasCommand) return bad("needs home, device and command.");
  return m;
}

}  // namespace latch::relay
