#include "relay/access_view.hpp"

#include <algorithm>
#include <mutex>

#include <spdlog/spdlog.h>

#include "store/validation.hpp"

namespace latch::relay {

AccessView::AccessView(store::HomeStore& homes, store::DeviceStore& devices, store::ChangeLog& log)
    : homeStore_(homes), deviceStore_(devices), log_(log) {}

AccessView::Tables AccessView::build(store::AccessSnapshot snapshot) {
  Tables t;
  for (auto& m : snapshot.memberships) {
    t.homesBySubject[m.subject].push_back(m.homeId);
    t.homes[m.homeId].members[std::move(m.subject)] = m.role;
  }
  for (auto& d : snapshot.devices) {
    t.homes[d.homeId].deviceIds.push_back(d.id);
    std::string id = d.id;
    t.devices[std::move(id)] = std::make_shared<const store::Device>(std::move(d));
  }
  return t;
}

store::StoreResult<std::uint64_t> AccessView::load() {
  auto snapshot = log_.loadAccess();
  if (!snapshot) return snapshot.error();
  const auto seq = snapshot->changeSeq;
  Tables fresh = build(std::move(*snapshot));
  {
    std::unique_lock lock(mu_);
    std::swap(tables_, fresh);
  }
  return seq;  // the old tables are freed outside the lock
}

std::optional<store::MemberRole> AccessView::roleIn(std::string_view homeId,
                                                    std::string_view subject) const {
  std::shared_lock lock(mu_);
  const auto home = tables_.homes.find(homeId);
  if (home == tables_.homes.end()) return std::nullopt;
  const auto member = home->second.members.find(subject);
  if (member == home->second.members.end()) return std::nullopt;
  return member->second;
}

std::shared_ptr<const store::Device> AccessView::device(std::string_view deviceId) const {
  std::shared_lock lock(mu_);
  const auto it = tables_.devices.find(deviceId);
  return it == tables_.devices.end() ? nullptr : it->second;
}

std::vector<std::string> AccessView::membersOf(std::string_view homeId) const {
  std::vector<std::string> out;
  std::shared_lock lock(mu_);
  const auto home = tables_.homes.find(homeId);
  if (home == tables_.homes.end()) return out;
  out.reserve(home->second.members.size());
  for (const auto& [subject, role] : home->second.members) out.push_back(subject);
  return out;
}

std::vector<store::Membership> AccessView::membershipsOf(std::string_view subject) const {
  std::vector<store::Membership> out;
  std::shared_lock lock(mu_);
  const auto homes = tables_.homesBySubject.find(subject);
  if (homes == tables_.homesBySubject.end()) return out;
  for (const auto& homeId : homes->second) {
    const auto& members = tables_.homes.at(homeId).members;
    const auto member = members.find(subject);
    if (member != members.end()) out.push_back({homeId, member->first, member->second});
  }
  return out;
}

std::vector<std::shared_ptr<const store::Device>> AccessView::devicesOf(
    std::string_view homeId) const {
  std::vector<std::shared_ptr<const store::Device>> out;
  std::shared_lock lock(mu_);
  const auto home = tables_.homes.find(homeId);
  if (home == tables_.homes.end()) return out;
  for (const auto& id : home->second.deviceIds) {
    const auto it = tables_.devices.find(id);
    if (it != tables_.devices.end()) out.push_back(it->second);
  }
  return out;
}

void AccessView::setMembersLocked(const std::string& homeId,
                                  std::vector<store::Membership> members) {
  auto& home = tables_.homes[homeId];
  for (const auto& [subject, role] : home.members) {
    const auto homes = tables_.homesBySubject.find(subject);
    if (homes == tables_.homesBySubject.end()) continue;
    std::erase(homes->second, homeId);
    if (homes->second.empty()) tables_.homesBySubject.erase(homes);
  }
  home.members.clear();
  for (auto& m : members) {
    tables_.homesBySubject[m.subject].push_back(homeId);
    home.members[std::move(m.subject)] = m.role;
  }
}

void AccessView::setDeviceLocked(store::Device device) {
  auto& slot = tables_.devices[device.id];
  if (!slot) tables_.homes[device.homeId].deviceIds.push_back(device.id);
  slot = std::make_shared<const store::Device>(std::move(device));
}

store::StoreResult<void> AccessView::refreshHome(std::string_view homeId) {
  auto members = homeStore_.membersOf(homeId);
  if (!members) return members.error();
  std::unique_lock lock(mu_);
  setMembersLocked(std::string(homeId), std::move(*members));
  return {};
}

store::StoreResult<void> AccessView::refreshDevice(std::string_view deviceId) {
  auto device = deviceStore_.findDevice(deviceId);
  if (!device) {
    if (device.error().code != store::StoreErrc::NotFound) return device.error();
    // Gone from the store: forget it here too.
    std::unique_lock lock(mu_);
    const auto it = tables_.devices.find(deviceId);
    if (it == tables_.devices.end()) return {};
    const auto home = tables_.homes.find(it->second->homeId);
    if (home != tables_.homes.end()) std::erase(home->second.deviceIds, it->first);
    tables_.devices.erase(it);
    return {};
  }
  std::unique_lock lock(mu_);
  setDeviceLocked(std::move(*device));
  return {};
}

bool AccessView::onChanges(std::span<const store::StoreChange> changes) {
  for (const auto& change : changes) {
    auto r = change.kind == store::ChangeKind::Home ? refreshHome(change.key)
                                                    : refreshDevice(change.key);
    if (!r) {
      // Applying a change twice is harmless: the feed delivers the batch again.
      spdlog::error("store: cannot re-read {} {}: {}", store::changeKindName(change.kind),
                    store::idForMessage(change.key), r.error().message);
      return false;
    }
  }
  return true;
}

bool AccessView::onResync() {
  if (auto r = load(); !r) {
    spdlog::error("store: cannot reload homes and devices: {}", r.error().message);
    return false;
  }
  return true;
}

}  // namespace latch::relay
