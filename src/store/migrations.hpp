#pragma once

#include "store/sqlite_db.hpp"

namespace latch::store {

// The schema version this build writes (PRAGMA user_version).
int latestSchemaVersion();

// Brings `db` to the latest schema: applies, in one transaction, every migration newer than
// the file's user_version. SchemaTooNew when the file was written by a newer Latch (it is
// left untouched). Safe against another process migrating at the same time (the loser
// waits for the lock, then finds nothing to do).
[[nodiscard]] StoreResult<void> migrate(SqliteDb& db);

}  // namespace latch::store
