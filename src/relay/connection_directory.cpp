#include "relay/connection_directory.hpp"

#include <algorithm>

#include "hub/hub_connection.hpp"

namespace latch::relay {

std::shared_ptr<hub::HubConnection> ConnectionDirectory::setDevice(
    const std::string& deviceId, const std::shared_ptr<hub::HubConnection>& connection) {
  std::lock_guard lock(mu_);
  auto& slot = devices_[deviceId];
  auto previous = slot.lock();
  slot = connection;
  return previous == connection ? nullptr : previous;
}

void ConnectionDirectory::removeDevice(const std::string& deviceId,
                                       const hub::HubConnection& connection) {
  std::lock_guard lock(mu_);
  const auto it = devices_.find(deviceId);
  if (it == devices_.end()) return;
  const auto current = it->second.lock();
  if (!current || current.get() == &connection) devices_.erase(it);
}

std::shared_ptr<hub::HubConnection> ConnectionDirectory::device(std::string_view deviceId) const {
  std::lock_guard lock(mu_);
  const auto it = devices_.find(deviceId);
  return it == devices_.end() ? nullptr : it->second.lock();
}

void ConnectionDirectory::addUser(const std::string& subject,
                                  const std::shared_ptr<hub::HubConnection>& connection) {
  std::lock_guard lock(mu_);
  users_[subject].push_back(connection);
}

void ConnectionDirectory::removeUser(const std::string& subject,
                                     const hub::HubConnection& connection) {
  std::lock_guard lock(mu_);
  const auto it = users_.find(subject);
  if (it == users_.end()) return;
  auto& list = it->second;
  std::erase_if(list, [&](const Weak& w) {
    const auto c = w.lock();
    return !c || c.get() == &connection;
  });
  if (list.empty()) users_.erase(it);
}

std::vector<std::shared_ptr<hub::HubConnection>> ConnectionDirectory::usersOf(
    std::string_view subject) const {
  std::vector<std::shared_ptr<hub::HubConnection>> out;
  std::lock_guard lock(mu_);
  const auto it = users_.find(subject);
  if (it == users_.end()) return out;
  for (const auto& w : it->second) {
    if (auto c = w.lock()) out.push_back(std::move(c));
  }
  return out;
}

}  // namespace latch::relay
