#pragma once

#include <mutex>
#include <string>

#include "store/revocation_store.hpp"
#include "store/sqlite_db.hpp"

namespace latch::store {

// The embedded store: one SQLite file (WAL) in the data directory. Each instance owns one
// connection, serialized by a mutex; several instances and processes may share the file.
class SqliteStore final : public RevocationStore {
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

 private:
  explicit SqliteStore(SqliteDb db) : db_(std::move(db)) {}
  StoreResult<void> bumpRevision();

  std::mutex mu_;
  SqliteDb db_;
};

}  // namespace latch::store
