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

  // Why a connection was not admitted.
  enum class Refusal {
    None,
    Full,         // max_connections (for a user: the part not kept for devices)
    SubjectFull,  // max_connections_per_subject
    AddressFull,  // max_connections_per_address
    Unattached,   // max_unattached_connections
  };
  struct Admission {
    std::shared_ptr<HubConnection> connection;  // null when refused
    Refusal refusal = Refusal::None;
  };

  // A new connection with a fresh 128-bit id and a separate 128-bit token (the same value
  // when `tokenIsId`, for negotiate version 0), for `principal` connecting from `address`
  // (empty: not counted per address), unless a limit refuses it. `unattached`: no transport
  // claims it yet (negotiate), so it counts against max_unattached_connections until one
  // does. Devices (role "device") may use the last tenth of max_connections, users not.
  Admission admit(bool tokenIsId, std::shared_ptr<const auth::Principal> principal,
                  std::string_view address, bool unattached);

  // admit() without an address, attached at once; null when refused (tests, tools).
  std::shared_ptr<HubConnection> create(bool tokenIsId = false,
                                        std::shared_ptr<const auth::Principal> principal = {}) {
    return admit(tokenIsId, std::move(principal), {}, false).connection;
  }

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
  // Negotiated connections no transport has claimed yet.
  std::size_t unattached() const;

 private:
  // What a connection counts against, so that removing it gives the counts back.
  struct Entry {
    std::shared_ptr<HubConnection> connection;
    std::string subject;
    std::string address;
    bool unattached = false;
  };
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Counts = std::unordered_map<std::string, std::size_t, StringHash, std::equal_to<>>;

  void remove(const std::string& token);
  void attached(const std::string& token);
  static void release(Counts& counts, const std::string& key);

  const Limits& limits_;
  Hub& hub_;
  const Clock& clock_;
  const WallClock& wallClock_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> byToken_;
  Counts bySubject_;
  Counts byAddress_;
  std::size_t unattached_ = 0;
};

}  // namespace latch::hub
