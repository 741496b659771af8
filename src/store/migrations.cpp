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
    // 2: homes, memberships, devices with their commands and PAT hashes, and the hash-chained
    // audit log. homes and devices keep a rowid so lists come out in creation order.
    // audit_head holds the newest record's seq and hash, written in the same transaction as
    // the record: deleting the newest records leaves the head pointing past the chain's end.
    // Audit rows name homes and devices without foreign keys: a denial may name an unknown id.
    R"sql(
      CREATE TABLE homes (
        id         TEXT NOT NULL PRIMARY KEY,
        name       TEXT NOT NULL,
        owner      TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        UNIQUE (owner, name)
      );
      CREATE TABLE memberships (
        home_id  TEXT NOT NULL REFERENCES homes (id),
        subject  TEXT NOT NULL,
        role     TEXT NOT NULL CHECK (role IN ('owner', 'member')),
        added_at INTEGER NOT NULL,
        PRIMARY KEY (home_id, subject)
      ) WITHOUT ROWID;
      CREATE INDEX memberships_by_subject ON memberships (subject);
      CREATE TABLE devices (
        id         TEXT NOT NULL PRIMARY KEY,
        home_id    TEXT NOT NULL REFERENCES homes (id),
        name       TEXT NOT NULL,
        pat_hash   BLOB NOT NULL CHECK (typeof(pat_hash) = 'blob' AND length(pat_hash) = 32),
        revoked    INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1)),
        revoked_at INTEGER,
        created_at INTEGER NOT NULL,
        UNIQUE (home_id, name)
      );
      CREATE TABLE device_commands (
        device_id  TEXT NOT NULL REFERENCES devices (id),
        command    TEXT NOT NULL,
        owner_only INTEGER NOT NULL DEFAULT 0 CHECK (owner_only IN (0, 1)),
        PRIMARY KEY (device_id, command)
      );
      CREATE TABLE audit (
        seq           INTEGER PRIMARY KEY,
        time_ms       INTEGER NOT NULL,
        kind          TEXT NOT NULL,
        actor         TEXT NOT NULL,
        home_id       TEXT NOT NULL,
        device_id     TEXT NOT NULL,
        action        TEXT NOT NULL,
        outcome       TEXT NOT NULL,
        connection_id TEXT NOT NULL,
        detail        TEXT NOT NULL,
        prev_hash     TEXT NOT NULL,
        hash          TEXT NOT NULL
      );
      CREATE INDEX audit_by_home ON audit (home_id, seq);
      CREATE TABLE audit_head (
        id   INTEGER PRIMARY KEY CHECK (id = 1),
        seq  INTEGER NOT NULL,
        hash TEXT NOT NULL
      );
      INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');
    )sql",
    // 3: the change log. Every write of a home, membership or device adds a row in its own
    // transaction, so a server keeping these in memory re-reads just what changed (by any
    // process). AUTOINCREMENT: seq never goes back, even after the newest rows are pruned.
    R"sql(
      CREATE TABLE changes (
        seq        INTEGER PRIMARY KEY AUTOINCREMENT,
        kind       TEXT NOT NULL CHECK (kind IN ('home', 'device')),
        key        TEXT NOT NULL,
        changed_at INTEGER NOT NULL
      );
    )sql",
    // 4: argument rules. A device may declare, per command, what arguments it takes
    // (common/argument_rules.hpp); NULL: the default argument policy only.
    R"sql(
      ALTER TABLE device_commands ADD COLUMN arg_rule TEXT;
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
