#include "hub/hub.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/logging.hpp"
#include "hub/hub_connection.hpp"

namespace latch::hub {

void Hub::add(std::string name, MethodHandler handler, std::vector<std::string> roles) {
  methods_.insert_or_assign(std::move(name), Method{std::move(handler), std::move(roles)});
}

bool Hub::has(std::string_view name) const { return methods_.find(name) != methods_.end(); }

void Hub::dispatch(const std::shared_ptr<HubConnection>& caller,
                   protocol::InvocationMessage&& message, Completer done) const {
  if (message.stream || !message.streamIds.empty()) {
    done.error("Streaming is not supported by this server.");
    return;
  }
  auto it = methods_.find(message.target);
  if (it == methods_.end()) {
    // The name is client text: printable ASCII of bounded length is echoed, nothing else.
    const std::string& t = message.target;
    const bool printable = t.size() <= 64 && std::all_of(t.begin(), t.end(), [](char c) {
                             return c >= 0x20 && c < 0x7f;
                           });
    done.error(printable ? fmt::format("Unknown hub method '{}'", t)
                         : std::string("Unknown hub method"));
    return;
  }
  const Method& method = it->second;
  if (!method.roles.empty()) {
    const auto principal = caller->principal();
    const bool allowed =
        principal && std::any_of(method.roles.begin(), method.roles.end(),
                                 [&](const std::string& r) { return principal->hasRole(r); });
    if (!allowed) {
      spdlog::warn("audit: denied method={} sub={} connection={} reason=role",
                   logField(message.target), logField(principal ? principal->subject : "-"),
                   caller->id());
      if (observer_) observer_->onDenied(caller, message.target, "role");
      done.error(fmt::format("Forbidden: '{}' needs another role.", message.target));
      return;
    }
  }
  CallContext ctx{
      caller, message.invocationId ? std::string_view(*message.invocationId) : std::string_view()};
  method.handler(ctx, message.arguments, std::move(done));
}

}  // namespace latch::hub
