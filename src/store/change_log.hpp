#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "store/device_store.hpp"
#include "store/home_store.hpp"
#include "store/store_error.hpp"

namespace latch::store {

// What a change touched: enough for a reader to re-read that one thing.
enum class ChangeKind {
  Home,    // a home or its members (key: the home id)
  Device,  // a device, its commands or its revoked flag (key: the device id)
};

// "home" / "device".
const char* changeKindName(ChangeKind kind);

// One committed change. `seq` grows with every change in commit order (per store).
struct StoreChange {
  std::uint64_t seq = 0;
  ChangeKind kind = ChangeKind::Home;
  std::string key;
};

// Everything the relay reads for every command, as of one moment: every membership and every
// device (with its commands), and the newest change seq at that moment.
struct AccessSnapshot {
  std::uint64_t changeSeq = 0;
  std::vector<Membership> memberships;
  std::vector<Device> devices;  // in creation order
};

// A store's record of its changes, for readers that keep a copy in memory. Every write of a
// home, membership or device adds a change in the same transaction. Thread-safe.
class ChangeLog {
 public:
  virtual ~ChangeLog() = default;

  // The whole access picture, read in one transaction (consistent with its changeSeq).
  [[nodiscard]] virtual StoreResult<AccessSnapshot> loadAccess() = 0;
  // Changes with seq > `after`, oldest first, at most `limit`.
  [[nodiscard]] virtual StoreResult<std::vector<StoreChange>> changesSince(std::uint64_t after,
                                                                           std::size_t limit) = 0;
  // Forgets changes older than `beforeSeconds` (readers poll far more often); how many.
  [[nodiscard]] virtual StoreResult<std::int64_t> pruneChanges(std::int64_t beforeSeconds) = 0;
  // Housekeeping of the store's files off the hot path, called by the feed about once a
  // second (SQLite: copies the write-ahead log into the database file, which the audit
  // writer's connection no longer does itself mid-commit).
  [[nodiscard]] virtual StoreResult<void> checkpoint() = 0;
};

}  // namespace latch::store
