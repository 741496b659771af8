#pragma once

#include "common/clock.hpp"
#include "common/limits.hpp"
#include "hub/connection_registry.hpp"
#include "transport/endpoint_handler.hpp"

namespace latch::hub {

class Hub;

// The hub path's connection policy, handed to the transport layer: negotiate creates hub
// connections, transport requests find them by token. Thread-safe.
class SignalREndpoint final : public transport::EndpointHandler {
 public:
  // `limits`, `hub` and `clock` must outlive this.
  SignalREndpoint(const Limits& limits, Hub& hub, const Clock& clock);

  transport::HttpAnswer negotiate(std::optional<std::string_view> version,
                                  const transport::Credentials& credentials) override;
  std::variant<std::shared_ptr<transport::ConnectionPort>, transport::HttpAnswer>
  openWithoutNegotiate(const transport::Credentials& credentials) override;
  std::variant<std::shared_ptr<transport::ConnectionPort>, transport::HttpAnswer> find(
      std::string_view token, const transport::Credentials& credentials) override;
  void tick(SteadyTime now) override;
  void shutdown() override;

  ConnectionRegistry& registry() { return registry_; }

 private:
  ConnectionRegistry registry_;
};

}  // namespace latch::hub
