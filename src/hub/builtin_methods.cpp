#include "hub/builtin_methods.hpp"

#include <boost/json/object.hpp>

#include "hub/hub_connection.hpp"
#include "hub/method_binding.hpp"

namespace latch::hub {

void registerBuiltinMethods(Hub& hub) {
  addMethod(hub, "Whoami", [](CallContext& ctx) -> HubResult<boost::json::value> {
    boost::json::object o;
    o["connectionId"] = ctx.caller->id();
    const auto kind = ctx.caller->transport();
    o["transport"] = kind ? transport::transportName(*kind) : "None";
    return boost::json::value(std::move(o));
  });
}

}  // namespace latch::hub
