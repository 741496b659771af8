#pragma once

#include <string>
#include <string_view>

#include <boost/json/array.hpp>

#include "common/result.hpp"

namespace latch::relay {

enum class MessageErrc { Invalid };

// The message inside a SendCommand envelope (SPEC section 5):
//   {"home": "...", "device": "...", "command": "OPEN_DOOR", "args": [...]}
struct CommandMessage {
  std::string home;
  std::string device;
  std::string command;
  boost::json::array args;
  bool queue = false;
};

// A command name: 1 to 64 of A-Z, 0-9 and '_'.
bool isValidCommandName(std::string_view name);

// Reads `msg` (JSON text) strictly: home, device and command strings (ids of at most 64
// bytes, a valid command name), args an array (absent means []), queue a boolean; any other
// field is refused. The error message says which rule broke and is safe to show.
[[nodiscard]] Result<CommandMessage, MessageErrc> parseCommandMessage(std::string_view msg);

}  // namespace latch::relay
