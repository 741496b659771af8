// Test-only hub methods: linked into `latch-with-test-hooks` and the unit tests, never into
// the release binary (see src/CMakeLists.txt).
#include <algorithm>
#include <cstdint>
#include <string>

#include <boost/json/array.hpp>

#include "hub/builtin_methods.hpp"
#include "hub/hub_connection.hpp"
#include "hub/method_binding.hpp"

namespace latch::hub {

void registerTestMethodsForTest(Hub& hub) {
  // Returns its argument unchanged.
  addMethod(hub, "Echo",
            [](CallContext&, boost::json::value v) -> HubResult<boost::json::value> { return v; });
  // Typed binding: two whole numbers.
  addMethod(hub, "Add",
            [](CallContext&, std::int64_t a, std::int64_t b) -> HubResult<boost::json::value> {
              return boost::json::value(a + b);
            });
  // A method that fails with an error message.
  addMethod(hub, "FailForTest",
            [](CallContext&, std::string message) -> HubResult<boost::json::value> {
              return makeError(HubErrc::MethodFailed, message);
            });
  // The server invokes `method(arg)` on the caller without awaiting anything.
  addMethod(hub, "SendToCallerForTest",
            [](CallContext& ctx, std::string method,
               boost::json::value arg) -> HubResult<boost::json::value> {
              ctx.caller->sendInvocation(method, boost::json::array{std::move(arg)});
              return boost::json::value(nullptr);
            });
  // The server invokes `method(arg)` on the caller, awaits its client result and returns it.
  addAsyncMethod(hub, "InvokeCallerForTest",
                 [](CallContext& ctx, std::string method, boost::json::value arg,
                    std::int64_t timeoutMs, Completer done) {
                   ctx.caller->invokeClient(method, boost::json::array{std::move(arg)},
                                            Millis(timeoutMs),
                                            [done](HubResult<boost::json::value> r) {
                                              if (r) {
                                                done.result(*r);
                                              } else {
                                                done.error(r.error().message);
                                              }
                                            });
                 });
  // Completes, then closes the connection with a Close message carrying `error`.
  addAsyncMethod(hub, "CloseForTest",
                 [](CallContext& ctx, std::string error, bool allowReconnect, Completer done) {
                   done.voidResult();
                   ctx.caller->close(error, allowReconnect);
                 });
  // Completes, then drops the transport without a Close message, as a crash would.
  addAsyncMethod(hub, "DropForTest", [](CallContext& ctx, Completer done) {
    done.voidResult();
    ctx.caller->abort("dropped by DropForTest");
  });
  // Only callers whose token carries the admin role may run this.
  addMethod(
      hub, "AdminOnlyForTest",
      [](CallContext&) -> HubResult<boost::json::value> { return boost::json::value("admin ok"); },
      {"admin"});
  // Sends `count` invocations of `method` carrying `bytes` characters each (backlog tests).
  addMethod(hub, "FloodForTest",
            [](CallContext& ctx, std::string method, std::int64_t count,
               std::int64_t bytes) -> HubResult<boost::json::value> {
              const std::string payload(
                  static_cast<std::size_t>(std::clamp<std::int64_t>(bytes, 0, 16 * 1024 * 1024)),
                  'x');
              std::int64_t sent = 0;
              for (; sent < count; ++sent) {
                if (!ctx.caller->sendInvocation(method, boost::json::array{payload})) break;
              }
              return boost::json::value(sent);
            });
}

}  // namespace latch::hub
