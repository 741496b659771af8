#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/change_feed.hpp"
#include "store/change_log.hpp"
#include "store/device_store.hpp"
#include "store/home_store.hpp"

namespace latch::relay {

// What the relay reads for every command, held in memory: each home's members and their
// roles, and each device with its commands, owner-only commands and revoked flag. Loaded
// whole by load(), then kept current by a ChangeFeed (it is the feed's listener): each change
// re-reads just the home or device it names. A full copy of those tables, not a cache: its
// size is the store's (about 200 bytes a membership, 300 a device).
//
// Thread-safe: lookups take a shared lock and never touch the store; updates run on the
// feed's thread (or the caller's, for refresh*) under an exclusive lock held only to swap
// entries in.
class AccessView final : public store::ChangeListener {
 public:
  // `homes`, `devices` and `log` are read when loading and on changes, never by lookups; they
  // must outlive the view.
  AccessView(store::HomeStore& homes, store::DeviceStore& devices, store::ChangeLog& log);

  // Reads everything; the change seq the snapshot is current to (start the feed from there).
  [[nodiscard]] store::StoreResult<std::uint64_t> load();

  // The subject's role in the home, or nullopt (not a member, or no such home).
  std::optional<store::MemberRole> roleIn(std::string_view homeId, std::string_view subject) const;
  // The device, or null if there is none with that id.
  std::shared_ptr<const store::Device> device(std::string_view deviceId) const;
  // The subjects who belong to the home (empty for an unknown home).
  std::vector<std::string> membersOf(std::string_view homeId) const;
  // The homes the subject belongs to, in no particular order.
  std::vector<store::Membership> membershipsOf(std::string_view subject) const;
  // The home's devices, revoked ones included, in creation order.
  std::vector<std::shared_ptr<const store::Device>> devicesOf(std::string_view homeId) const;

  // Re-reads one home's members, or one device, now (a change this process made itself).
  [[nodiscard]] store::StoreResult<void> refreshHome(std::string_view homeId);
  [[nodiscard]] store::StoreResult<void> refreshDevice(std::string_view deviceId);

  // ChangeListener: re-read what each change names; reload everything on a resync. A store
  // that cannot be read leaves the view as it was, logged, and false (asked again later).
  bool onChanges(std::span<const store::StoreChange> changes) override;
  bool onResync() override;

 private:
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  template <class V>
  using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

  struct Home {
    StringMap<store::MemberRole> members;
    std::vector<std::string> deviceIds;  // creation order
  };

  // The whole picture, swapped in at once by load().
  struct Tables {
    StringMap<Home> homes;
    StringMap<std::shared_ptr<const store::Device>> devices;
    StringMap<std::vector<std::string>> homesBySubject;
  };

  static Tables build(store::AccessSnapshot snapshot);
  // Replaces the members of `homeId` (mu_ held exclusively).
  void setMembersLocked(const std::string& homeId, std::vector<store::Membership> members);
  void setDeviceLocked(store::Device device);

  store::HomeStore& homeStore_;
  store::DeviceStore& deviceStore_;
  store::ChangeLog& log_;
  mutable std::shared_mutex mu_;
  Tables tables_;
};

}  // namespace latch::relay
