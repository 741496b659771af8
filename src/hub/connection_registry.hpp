#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/clock.hpp"
#include "common/limits.hpp"
#include "common/wall_clock.hpp"
#include "hub/hub_connection.hpp"

namespace latch::hub {

class Hub;

// Every live hub connection, by connection token. Creates connections (negotiate or a
// WebSocket without negotiate), forgets them when they close, drives their deadlines.
// Thread-safe.
class ConnectionRegistry {
 public:
  // `wallClock` null: the system clock. All references must outlive the registry.
  ConnectionRegistry(const Limits& limits, Hub& hub, const Clock& clock,
                     const WallClock* wallClock = nullptr);
  // Abandons the connections still open: a pending client result holds its connection
  // (through the invocation awaiting it), and that cycle must not outlive the registry.
  ~ConnectionRegistry();

  // A new connection with a fresh 128-bit id and a separate 128-bit token (the same value
  // when `tokenIsId`, for negotiate version 0), or null when the maximum number of
  // connections is reached.
  std::shared_ptr<HubConnection> create(bool tokenIsId = false,
                                        std::shared_ptr<const auth::Principal> principal = {});

  // The connection with this token, or null (unknown or already closed).
  std::shared_ptr<HubConnection> find(std::string_view token) const;

  // Runs every connection's deadlines (see HubConnection::tick), then the hub observer's
  // (ConnectionObserver::onTick).
  void tick(SteadyTime now);

  // Sends Close with `error` to every connection (shutdown).
  void closeAll(std::string_view error, bool allowReconnect);

  // Ends every connection as if its transport had closed, without I/O (after the I/O
  // threads stopped): breaks the connection-transport references.
  void abandonAll();

  std::size_t size() const;

 private:
  void remove(const std::string& token);

  const Limits& limits_;
  Hub& hub_;
  const Clock& clock_;
  const WallClock& wallClock_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<HubConnection>> byToken_;
};

}  // namespace latch::hub
