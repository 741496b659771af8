// Fuzzes what the C++ client side reads from a server it may not trust: negotiate responses,
// token responses, server URLs, and the agent's checks of an Execute argument (envelope,
// signature, command message). Any input gives a value or a typed error, never a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <boost/json/parse.hpp>

#include "agent/execute_guard.hpp"
#include "agent/utf8.hpp"
#include "client/detail/negotiation.hpp"
#include "client/server_url.hpp"
#include "client/token_grant.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)latch::client::detail::parseNegotiation(text);
  (void)latch::client::parseTokenResponse(text);
  (void)latch::client::parseServerUrl(text);
  (void)latch::agent::toValidUtf8(text);
  boost::system::error_code ec;
  const auto value = boost::json::parse(text, ec);
  if (ec) return 0;
  static auto* guard = [] {
    auto* g = new latch::agent::ExecuteGuard("d_1", {{"OPEN_DOOR", "/bin/true"}}, 64);
    latch::auth::SessionKeyBytes key{};
    key.fill(7);
    g->addSessionKey(key);
    return g;
  }();
  (void)guard->admit(value, 1'764'405'600'000);
  return 0;
}
