// Fuzzes the relay's parsers of client input: the envelope wire form (strict fields, nonce,
// signature encoding, msg as JSON), its verification, and the command message inside it.
// Any input gives a value or a typed error, never a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <boost/json/parse.hpp>

#include "auth/envelope.hpp"
#include "relay/command_message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)latch::relay::parseCommandMessage(text);
  boost::system::error_code ec;
  const auto value = boost::json::parse(text, ec);
  if (ec) return 0;
  auto envelope = latch::auth::parseEnvelope(value);
  if (!envelope) return 0;
  static const std::uint8_t key[32] = {7};
  (void)latch::auth::verifyEnvelope(key, "SendCommand", *envelope, 1'764'405'600'000);
  (void)latch::relay::parseCommandMessage(envelope->msg);
  return 0;
}
