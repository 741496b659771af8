// Fuzzes a whole hub connection: the input is what a client sends after connecting
// (handshake included or not); the connection must answer or close, never crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "hub/builtin_methods.hpp"
#include "hub/connection_registry.hpp"
#include "hub/hub.hpp"
#include "support/fake_clock.hpp"
#include "support/fake_link.hpp"
#include "support/test_auth.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace latch;
  static testing::TestAuth* auth = new testing::TestAuth;
  static hub::Hub* hub = [] {
    auto* h = new hub::Hub;
    hub::registerBuiltinMethods(*h, *auth->authenticator);
    hub::registerTestMethodsForTest(*h);
    return h;
  }();
  Limits limits;
  limits.maxMessageBytes = 4096;
  testing::FakeClock clock;
  hub::ConnectionRegistry registry(limits, *hub, clock, &auth->wall);
  static const auto principal = auth->principal("fuzz");
  auto connection = registry.create(false, principal);
  auto link = std::make_shared<testing::FakeLink>(64 * 1024);
  link->bind(connection);
  (void)connection->attach(link);
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  // Inputs starting with 'H' get a valid handshake first, to reach the message path.
  if (!input.empty() && input[0] == 'H') {
    connection->onReceive("{\"protocol\":\"json\",\"version\":1}\x1e");
  }
  connection->onReceive(input);
  clock.advance(Millis(60000));
  connection->tick(clock.now());
  connection->abort("fuzz input done");
  return 0;
}
