#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace latch::hub {
class HubConnection;
}

namespace latch::relay {

// Who is online: one connection per device id, and the user connections of each subject.
// Holds weak references: a closed connection is never kept alive by the directory.
// Thread-safe.
class ConnectionDirectory {
 public:
  // Makes `connection` the device's connection; returns the one it replaces (the caller
  // closes it), or null.
  std::shared_ptr<hub::HubConnection> setDevice(
      const std::string& deviceId, const std::shared_ptr<hub::HubConnection>& connection);
  // Forgets the device's connection if it is still `connection`.
  void removeDevice(const std::string& deviceId, const hub::HubConnection& connection);
  // The device's live connection, or null.
  std::shared_ptr<hub::HubConnection> device(std::string_view deviceId) const;

  void addUser(const std::string& subject, const std::shared_ptr<hub::HubConnection>& connection);
  void removeUser(const std::string& subject, const hub::HubConnection& connection);
  // The subject's live connections.
  std::vector<std::shared_ptr<hub::HubConnection>> usersOf(std::string_view subject) const;

 private:
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Weak = std::weak_ptr<hub::HubConnection>;

  mutable std::mutex mu_;
  std::unordered_map<std::string, Weak, StringHash, std::equal_to<>> devices_;
  std::unordered_map<std::string, std::vector<Weak>, StringHash, std::equal_to<>> users_;
};

}  // namespace latch::relay
