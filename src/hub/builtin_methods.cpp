#include "hub/builtin_methods.hpp"

#include <spdlog/spdlog.h>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "auth/auth_error.hpp"
#include "auth/authenticator.hpp"
#include "hub/hub_connection.hpp"
#include "hub/method_binding.hpp"

namespace latch::hub {

void registerBuiltinMethods(Hub& hub, const auth::Authenticator& authenticator,
                            HomesLookup homesOf) {
  addMethod(hub, "Whoami", [homesOf](CallContext& ctx) -> HubResult<boost::json::value> {
    boost::json::object o;
    const auto principal = ctx.caller->principal();
    o["sub"] = principal ? principal->subject : "";
    boost::json::array roles;
    if (principal) {
      for (const auto& r : principal->roles) roles.emplace_back(r);
    }
    o["roles"] = std::move(roles);
    o["homes"] = principal && homesOf ? homesOf(principal->subject) : boost::json::array{};
    o["expiresAt"] = principal ? principal->expiresAt : 0;
    o["connectionId"] = ctx.caller->id();
    const auto kind = ctx.caller->transport();
    o["transport"] = kind ? transport::transportName(*kind) : "None";
    return boost::json::value(std::move(o));
  });

  // Replaces the connection's token in-band: the new one must be valid and name the same
  // subject; on any failure the old token (and its deadline) stays in force.
  addMethod(
      hub, "RefreshToken",
      [&authenticator](CallContext& ctx, std::string accessToken) -> HubResult<boost::json::value> {
        auto principal = authenticator.authenticate(accessToken);
        const auto current = ctx.caller->principal();
        if (!principal) {
          spdlog::info("audit: refresh refused connection={} reason={}", ctx.caller->id(),
                       auth::authErrorName(principal.error().code));
          return makeError(HubErrc::MethodFailed,
                           std::string("Token refused: ") +
                               std::string(auth::authErrorName(principal.error().code)));
        }
        if (!current || principal->subject != current->subject) {
          spdlog::warn("audit: refresh refused connection={} reason=other_subject",
                       ctx.caller->id());
          return makeError(HubErrc::MethodFailed, "Token refused: it belongs to another subject.");
        }
        const std::int64_t expiresAt = principal->expiresAt;
        ctx.caller->setPrincipal(std::make_shared<const auth::Principal>(std::move(*principal)));
        boost::json::object o;
        o["expiresAt"] = expiresAt;
        return boost::json::value(std::move(o));
      });
}

}  // namespace latch::hub
