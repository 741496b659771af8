// SqliteStore as a ChangeLog: what the relay's in-memory view reads, and what changed since.
#include "store/sqlite_store.hpp"

namespace latch::store {

const char* changeKindName(ChangeKind kind) { return kind == ChangeKind::Home ? "home" : "device"; }

StoreResult<void> SqliteStore::recordChangeLocked(ChangeKind kind, std::string_view key,
                                                  std::int64_t nowSeconds) {
  auto stmt = db_.prepare("INSERT INTO changes (kind, key, changed_at) VALUES (?1, ?2, ?3)");
  if (!stmt) return stmt.error();
  return stmt->bind(1, changeKindName(kind)).bind(2, key).bind(3, nowSeconds).run();
}

StoreResult<AccessSnapshot> SqliteStore::loadAccess() {
  std::lock_guard lock(mu_);
  auto tx = Transaction::beginRead(db_);
  if (!tx) return tx.error();
  AccessSnapshot snapshot;
  auto head = db_.prepare("SELECT coalesce(max(seq), 0) FROM changes");
  if (!head) return head.error();
  if (auto row = head->step(); !row) return row.error();
  snapshot.changeSeq = static_cast<std::uint64_t>(head->int64(0));
  auto members = db_.prepare("SELECT home_id, subject, role FROM memberships");
  if (!members) return members.error();
  auto memberships = membershipsLocked(*members);
  if (!memberships) return memberships.error();
  snapshot.memberships = std::move(*memberships);
  auto devices =
      db_.prepare("SELECT id, home_id, name, revoked, created_at FROM devices ORDER BY rowid");
  if (!devices) return devices.error();
  auto all = devicesLocked(*devices);
  if (!all) return all.error();
  snapshot.devices = std::move(*all);
  if (auto r = tx->commit(); !r) return r.error();
  return snapshot;
}

StoreResult<std::vector<StoreChange>> SqliteStore::changesSince(std::uint64_t after,
                                                                std::size_t limit) {
  std::lock_guard lock(mu_);
  auto stmt =
      db_.prepare("SELECT seq, kind, key FROM changes WHERE seq > ?1 ORDER BY seq LIMIT ?2");
  if (!stmt) return stmt.error();
  stmt->bind(1, static_cast<std::int64_t>(after)).bind(2, static_cast<std::int64_t>(limit));
  std::vector<StoreChange> changes;
  auto r = forEachRow(*stmt, [&](const Statement& row) {
    changes.push_back(StoreChange{static_cast<std::uint64_t>(row.int64(0)),
                                  row.text(1) == "home" ? ChangeKind::Home : ChangeKind::Device,
                                  row.text(2)});
  });
  if (!r) return r.error();
  return changes;
}

StoreResult<std::int64_t> SqliteStore::pruneChanges(std::int64_t beforeSeconds) {
  std::lock_guard lock(mu_);
  // The newest row always stays: it carries the seq a reader compares its cursor with.
  auto stmt = db_.prepare(
      "DELETE FROM changes WHERE changed_at < ?1 AND seq < (SELECT max(seq) FROM changes)");
  if (!stmt) return stmt.error();
  if (auto r = stmt->bind(1, beforeSeconds).run(); !r) return r.error();
  return db_.changes();
}

StoreResult<void> SqliteStore::checkpoint() {
  std::lock_guard lock(mu_);
  // PASSIVE: copies what it can without waiting for (or blocking) the writers.
  return db_.exec("PRAGMA wal_checkpoint(PASSIVE)");
}

StoreResult<void> SqliteStore::leaveCheckpointsToOthers() {
  std::lock_guard lock(mu_);
  return db_.exec("PRAGMA wal_autocheckpoint = 0");
}

}  // namespace latch::store
