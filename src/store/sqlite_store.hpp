#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "store/audit_store.hpp"
#include "store/change_log.hpp"
#include "store/device_store.hpp"
#include "store/home_store.hpp"
#include "store/revocation_store.hpp"
#include "store/sqlite_db.hpp"

namespace latch::store {

// The embedded store: one SQLite file (WAL) in the data directory. Each instance owns one
// connection, serialized by a mutex; several instances and processes may share the file.
// Every write is one short transaction. The member functions of each interface are defined
// in their own file: sqlite_store.cpp (revocations), sqlite_home_store.cpp,
// sqlite_device_store.cpp, sqlite_audit_store.cpp, sqlite_change_log.cpp.
class SqliteStore final : public RevocationStore,
                          public HomeStore,
                          public DeviceStore,
                          public AuditStore,
                          public ChangeLog {
 public:
  // The file name inside a data directory.
  static constexpr const char* kFileName = "latch.db";

  // Opens (creating if needed) `path` and migrates it to the latest schema. Corrupt,
  // SchemaTooNew or OpenFailed with a one-line message naming the file.
  [[nodiscard]] static StoreResult<SqliteStore> open(const std::string& path);
  // open() on `dataDir`/latch.db.
  [[nodiscard]] static StoreResult<SqliteStore> openInDataDir(const std::string& dataDir);

  SqliteStore(SqliteStore&& other) noexcept : db_(std::move(other.db_)) {}

  StoreResult<void> revokeToken(std::string_view jti, std::int64_t untilSeconds,
                                std::int64_t nowSeconds) override;
  StoreResult<void> revokeSubject(std::string_view subject, std::int64_t epochSeconds,
                                  std::int64_t nowSeconds) override;
  StoreResult<std::uint64_t> revocationRevision() override;
  StoreResult<Revocations> loadRevocations(std::int64_t nowSeconds) override;
  StoreResult<std::int64_t> purgeRevocations(std::int64_t nowSeconds) override;

  StoreResult<Home> createHome(std::string_view name, std::string_view owner,
                               std::int64_t nowSeconds) override;
  StoreResult<std::vector<Home>> listHomes() override;
  StoreResult<Home> findHome(std::string_view homeId) override;
  StoreResult<void> setMember(std::string_view homeId, std::string_view subject, MemberRole role,
                              std::int64_t nowSeconds) override;
  StoreResult<std::optional<MemberRole>> roleIn(std::string_view homeId,
                                                std::string_view subject) override;
  StoreResult<std::vector<Membership>> membersOf(std::string_view homeId) override;
  StoreResult<std::vector<Membership>> membershipsOf(std::string_view subject) override;

  StoreResult<Device> addDevice(std::string_view homeId, std::string_view name,
                                const std::vector<std::string>& commands,
                                const std::vector<std::string>& ownerOnly, const PatHash& patHash,
                                std::int64_t nowSeconds,
                                const std::map<std::string, std::string>& argRules = {}) override;
  StoreResult<std::vector<Device>> listDevices(std::optional<std::string_view> homeId) override;
  StoreResult<Device> findDevice(std::string_view deviceId) override;
  StoreResult<PatHash> patHashOf(std::string_view deviceId) override;
  StoreResult<void> revokeDevice(std::string_view deviceId, std::int64_t nowSeconds) override;

  StoreResult<std::int64_t> append(AuditRecord record) override;
  StoreResult<void> appendAll(std::vector<AuditRecord> records) override;
  StoreResult<std::vector<AuditRecord>> listAudit(std::optional<std::string_view> homeId,
                                                  std::size_t limit) override;
  StoreResult<AuditVerdict> verifyAudit() override;

  StoreResult<AccessSnapshot> loadAccess() override;
  StoreResult<std::vector<StoreChange>> changesSince(std::uint64_t after,
                                                     std::size_t limit) override;
  StoreResult<std::int64_t> pruneChanges(std::int64_t beforeSeconds) override;
  StoreResult<void> checkpoint() override;

  // Stops this connection from checkpointing the write-ahead log when a commit makes it
  // long (SQLite does so on the committing thread, fsyncs included): for the audit writer,
  // whose commits gate every command's outcome; another connection's checkpoint() does it.
  [[nodiscard]] StoreResult<void> leaveCheckpointsToOthers();

 private:
  explicit SqliteStore(SqliteDb db) : db_(std::move(db)) {}
  StoreResult<void> bumpRevision();
  // The helpers below expect mu_ held (and, for writes, a transaction open).
  StoreResult<std::optional<Home>> homeLocked(std::string_view homeId);
  StoreResult<void> loadCommandsLocked(Device& device);
  StoreResult<std::vector<Device>> devicesLocked(Statement& stmt);
  StoreResult<std::vector<Membership>> membershipsLocked(Statement& stmt);
  // Appends `records` in order after the head, sets their seq and hashes, moves the head.
  StoreResult<void> appendLocked(std::span<AuditRecord> records);
  // Adds a change to the log (in the caller's transaction).
  StoreResult<void> recordChangeLocked(ChangeKind kind, std::string_view key,
                                       std::int64_t nowSeconds);

  std::mutex mu_;
  SqliteDb db_;
};

}  // namespace latch::store
