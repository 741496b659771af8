#pragma once

#include "auth/authenticator.hpp"
#include "common/clock.hpp"
#include "common/limits.hpp"
#include "hub/connection_registry.hpp"
#include "transport/endpoint_handler.hpp"

namespace latch::hub {

class Hub;

// The hub path's connection policy, handed to the transport layer. Every request must carry
// a valid token: negotiate (and a WebSocket without negotiate) creates a connection for the
// token's principal, and every later transport request must present a valid token of the
// same subject (401 without a valid token, 403 for another subject's). Thread-safe.
class SignalREndpoint final : public transport::EndpointHandler {
 public:
  // Everything passed must outlive this. `wallClock` null: the system clock.
  SignalREndpoint(const Limits& limits, Hub& hub, const Clock& clock,
                  const auth::Authenticator& authenticator, const WallClock* wallClock = nullptr);

  transport::HttpAnswer negotiate(std::optional<std::string_view> version,
                                  const transport::Credentials& credentials) override;
  std::variant<std::shared_ptr<transport::ConnectionPort>, transport::HttpAnswer>
  openWithoutNegotiate(const transport::Credentials& credentials) override;
  std::variant<std::shared_ptr<transport::ConnectionPort>, transport::HttpAnswer> find(
      std::string_view token, const transport::Credentials& credentials) override;
  void tick(SteadyTime now) override;
  void shutdown() override;
  void abandonAll() override;

  ConnectionRegistry& registry() { return registry_; }

 private:
  const auth::Authenticator& authenticator_;
  ConnectionRegistry registry_;
};

}  // namespace latch::hub
