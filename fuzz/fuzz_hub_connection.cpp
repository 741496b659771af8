// Fuzzes a whole hub connection: the input is what a client sends after connecting; the
// connection must answer or close, never crash.
//
// The first byte is the selector, never sent to the connection:
//   bit 0      1: the harness sends a valid handshake first, so the bytes are hub messages
//              and reach the method handlers (Whoami, RefreshToken and the test methods),
//              completions of client results, pings; 0: the bytes go in as they are (their
//              own handshake, or none).
//   bit 1      the caller's token carries "admin" besides "user".
//   bits 2-7   a clock step, in units of 10 s. The bytes are fed in chunks split at 0x1f (a
//              control character, never valid inside a JSON record); after each chunk both
//              clocks advance by the step and the connection's deadlines run: keep-alive
//              pings, client-result timeouts, the token's expiry notice and its expiry.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json/array.hpp>

#include "hub/builtin_methods.hpp"
#include "hub/connection_registry.hpp"
#include "hub/hub.hpp"
#include "hub/method_binding.hpp"
#include "support/fake_clock.hpp"
#include "support/fake_link.hpp"
#include "support/test_auth.hpp"

namespace {

using namespace latch;

constexpr std::string_view kHandshake = "{\"protocol\":\"json\",\"version\":1}\x1e";

// Two test methods take sizes and timeouts from the client unchecked (the tests that call
// them are trusted): FloodForTest allocates `bytes` characters, InvokeCallerForTest adds
// `timeoutMs` to the clock. The same methods, bounded, so the fuzzer explores the hub
// rather than the allocator and chrono overflow.
void boundTestMethods(hub::Hub& hub) {
  hub::addMethod(hub, "FloodForTest",
                 [](hub::CallContext& ctx, std::string method, std::int64_t count,
                    std::int64_t bytes) -> hub::HubResult<boost::json::value> {
                   const std::string payload(
                       static_cast<std::size_t>(std::clamp<std::int64_t>(bytes, 0, 4096)), 'x');
                   std::int64_t sent = 0;
                   for (; sent < std::clamp<std::int64_t>(count, 0, 1024); ++sent) {
                     if (!ctx.caller->sendInvocation(method, boost::json::array{payload})) break;
                   }
                   return boost::json::value(sent);
                 });
  hub::addAsyncMethod(hub, "InvokeCallerForTest",
                      [](hub::CallContext& ctx, std::string method, boost::json::value arg,
                         std::int64_t timeoutMs, hub::Completer done) {
                        ctx.caller->invokeClient(
                            method, boost::json::array{std::move(arg)},
                            Millis(std::clamp<std::int64_t>(timeoutMs, 0, 3'600'000)),
                            [done](hub::HubResult<boost::json::value> r) {
                              if (r) {
                                done.result(*r);
                              } else {
                                done.error(r.error().message);
                              }
                            });
                      });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static testing::TestAuth* auth = new testing::TestAuth;
  static hub::Hub* hub = [] {
    auto* h = new hub::Hub;
    hub::registerBuiltinMethods(*h, *auth->authenticator);
    hub::registerTestMethodsForTest(*h);
    boundTestMethods(*h);
    return h;
  }();
  static const auto user = auth->principal("fuzz");
  static const auto admin = auth->principal("fuzz", {"user", "admin"});
  if (size == 0) return 0;
  const std::uint8_t selector = data[0];
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  const Millis step(std::int64_t{selector >> 2} * 10'000);

  Limits limits;
  limits.maxMessageBytes = 4096;
  testing::FakeClock clock;
  testing::ManualWallClock wall;  // starts where auth->wall is: the tokens are fresh
  hub::ConnectionRegistry registry(limits, *hub, clock, &wall);
  auto connection = registry.create(false, (selector & 2) != 0 ? admin : user);
  auto link = std::make_shared<testing::FakeLink>(64 * 1024);
  link->bind(connection);
  (void)connection->attach(link);
  if ((selector & 1) != 0) connection->onReceive(kHandshake);
  std::size_t start = 0;
  while (start <= input.size()) {
    const std::size_t end = std::min(input.find('\x1f', start), input.size());
    connection->onReceive(input.substr(start, end - start));
    clock.advance(step);
    wall.advanceMillis(step.count());
    registry.tick(clock.now());
    start = end + 1;
  }
  clock.advance(Millis(60000));
  connection->tick(clock.now());
  connection->abort("fuzz input done");
  return 0;
}
