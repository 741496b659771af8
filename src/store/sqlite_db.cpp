#include "store/sqlite_db.hpp"

#include <utility>

#include <fmt/format.h>
#include <sqlite3.h>

namespace latch::store {
namespace {

StoreErrc codeFor(int rc) {
  switch (rc & 0xff) {
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      return StoreErrc::Corrupt;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return StoreErrc::Busy;
    case SQLITE_CONSTRAINT:
      return StoreErrc::Conflict;
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY:
      return StoreErrc::OpenFailed;
    default:
      return StoreErrc::Failed;
  }
}

}  // namespace

StoreResult<SqliteDb> SqliteDb::open(const std::string& path, int busyTimeoutMs) {
  sqlite3* raw = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  SqliteDb db(raw);
  if (rc != SQLITE_OK) {
    return makeError(StoreErrc::OpenFailed,
                     fmt::format("cannot open {}: {}", path, sqlite3_errstr(rc)));
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, busyTimeoutMs);
  // Reading the schema is the first access to the file: a file that is not a database fails
  // here, before anything is written to it.
  if (auto r = db.exec("SELECT count(*) FROM sqlite_schema"); !r) {
    return makeError(
        r.error().code == StoreErrc::Corrupt ? StoreErrc::Corrupt : StoreErrc::OpenFailed,
        fmt::format("{} is not a usable database: {}", path, r.error().message));
  }
  if (auto r = db.exec("PRAGMA foreign_keys = ON"); !r) return r.error();
  if (path != ":memory:") {
    if (auto r = db.exec("PRAGMA journal_mode = WAL"); !r) return r.error();
    // WAL with synchronous=NORMAL: a power cut may lose the last commits, never consistency.
    if (auto r = db.exec("PRAGMA synchronous = NORMAL"); !r) return r.error();
  }
  return db;
}

SqliteDb::SqliteDb(SqliteDb&& other) noexcept {
  other.dropCache();
  db_ = std::exchange(other.db_, nullptr);
}

void SqliteDb::dropCache() { cache_.clear(); }

StoreResult<Statement*> SqliteDb::cached(const char* sql) {
  if (auto it = cache_.find(sql); it != cache_.end()) {
    it->second->reset();
    return it->second.get();
  }
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return errorFor(rc, "prepare");
  auto& slot = cache_[sql];
  slot.reset(new Statement(*this, stmt));
  return slot.get();
}

SqliteDb& SqliteDb::operator=(SqliteDb&& other) noexcept {
  if (this != &other) {
    dropCache();
    other.dropCache();
    if (db_) sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
  }
  return *this;
}

SqliteDb::~SqliteDb() {
  dropCache();
  if (db_) sqlite3_close_v2(db_);
}

StoreResult<void> SqliteDb::exec(const char* sql) {
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return errorFor(rc, "exec");
  return {};
}

StoreResult<Statement> SqliteDb::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) return errorFor(rc, "prepare");
  return Statement(*this, stmt);
}

StoreError SqliteDb::errorFor(int rc, std::string_view what) const {
  const char* detail = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
  return makeError(codeFor(rc), fmt::format("{}: {}", what, detail));
}

std::int64_t SqliteDb::changes() const { return sqlite3_changes64(db_); }

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)) {}

Statement::~Statement() {
  if (stmt_) sqlite3_finalize(stmt_);
}

Statement& Statement::bind(int index, std::string_view text) {
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Statement& Statement::bindBlob(int index, std::span<const std::uint8_t> bytes) {
  sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bindNull(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

StoreResult<bool> Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_->errorFor(rc, "step");
}

StoreResult<void> Statement::run() {
  auto r = step();
  if (!r) return r.error();
  return {};
}

std::string Statement::text(int column) const {
  const auto* p = sqlite3_column_text(stmt_, column);
  const int n = sqlite3_column_bytes(stmt_, column);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n))
           : std::string();
}

std::int64_t Statement::int64(int column) const { return sqlite3_column_int64(stmt_, column); }

std::vector<std::uint8_t> Statement::blob(int column) const {
  const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_, column));
  const int n = sqlite3_column_bytes(stmt_, column);
  return p ? std::vector<std::uint8_t>(p, p + n) : std::vector<std::uint8_t>();
}

bool Statement::isNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

StoreResult<Transaction> Transaction::begin(SqliteDb& db) {
  auto begin = db.cached("BEGIN IMMEDIATE");
  if (!begin) return begin.error();
  if (auto r = (*begin)->run(); !r) return r.error();
  return Transaction(db);
}

StoreResult<Transaction> Transaction::beginRead(SqliteDb& db) {
  if (auto r = db.exec("BEGIN DEFERRED"); !r) return r.error();
  return Transaction(db);
}

Transaction::~Transaction() {
  if (db_) (void)db_->exec("ROLLBACK");
}

StoreResult<void> Transaction::commit() {
  auto commit = db_->cached("COMMIT");
  if (!commit) return commit.error();
  auto r = (*commit)->run();
  if (r) db_ = nullptr;
  return r;
}

}  // namespace latch::store
