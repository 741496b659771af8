#include "store/migrations.hpp"

#include <array>

#include <fmt/format.h>

namespace latch::store {
namespace {

// Migration N (1-based) takes the schema from version N-1 to N. Never edit a published
// migration: add a new one.
constexpr std::array kMigrations = {
    // 1: revocations. A jti deny-list kept until the token can no longer be valid, and a
    // per-subject epoch: tokens of that subject issued at or before it are revoked.
    // `revision` grows with every change so servers notice new revocations cheaply.
    R"sql(
      CREATE TABLE revoked_tokens (
        jti        TEXT PRIMARY KEY,
        expires_at INTEGER NOT NULL,
        revoked_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE revoked_subjects (
        subject    TEXT PRIMARY KEY,
        epoch      INTEGER NOT NULL,
        revoked_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE revocation_revision (
        id       INTEGER PRIMARY KEY CHECK (id = 1),
        revision INTEGER NOT NULL
      );
      INSERT INTO revocation_revision (id, revision) VALUES (1, 0);
    )sql",
};

StoreResult<int> userVersion(SqliteDb& db) {
  auto stmt = db.prepare("PRAGMA user_version");
  if (!stmt) return stmt.error();
  auto row = stmt->step();
  if (!row) return row.error();
  return *row ? static_cast<int>(stmt->int64(0)) : 0;
}

}  // namespace

int latestSchemaVersion() { return static_cast<int>(kMigrations.size()); }

StoreResult<void> migrate(SqliteDb& db) {
  auto tx = Transaction::begin(db);
  if (!tx) return tx.error();
  auto version = userVersion(db);
  if (!version) return version.error();
  if (*version > latestSchemaVersion()) {
    return makeError(StoreErrc::SchemaTooNew,
                     fmt::format("the database has schema version {}, this Latch knows up to "
                                 "{}: it was written by a newer Latch",
                                 *version, latestSchemaVersion()));
  }
  for (int v = *version; v < latestSchemaVersion(); ++v) {
    if (auto r = db.exec(kMigrations[static_cast<std::size_t>(v)]); !r) {
      return makeError(r.error().code,
                       fmt::format("migration {} failed: {}", v + 1, r.error().message));
    }
  }
  if (*version != latestSchemaVersion()) {
    const auto pragma = fmt::format("PRAGMA user_version = {}", latestSchemaVersion());
    if (auto r = db.exec(pragma.c_str()); !r) return r.error();
  }
  return tx->commit();
}

}  // namespace latch::store
