#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/store_error.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace latch::store {

class Statement;

// One SQLite connection: opened with foreign keys on, a busy timeout, and (for files) WAL.
// Move-only; not thread-safe (one thread at a time: the owner serializes).
class SqliteDb {
 public:
  // Opens or creates the database at `path` (":memory:" for a private in-memory one) and
  // checks that it is a readable SQLite database: Corrupt if it is not, OpenFailed if it
  // cannot be opened. `busyTimeoutMs`: how long a write waits for another process's lock.
  [[nodiscard]] static StoreResult<SqliteDb> open(const std::string& path,
                                                  int busyTimeoutMs = 5000);

  SqliteDb(SqliteDb&& other) noexcept;
  SqliteDb& operator=(SqliteDb&& other) noexcept;
  ~SqliteDb();

  // Runs one or more statements that return no rows of interest.
  [[nodiscard]] StoreResult<void> exec(const char* sql);
  // A prepared statement; valid while this connection lives.
  [[nodiscard]] StoreResult<Statement> prepare(std::string_view sql);
  // The statement for `sql`, prepared on first use and kept with the connection, reset and
  // unbound: for the statements run on every write (parsing SQL costs dozens of
  // allocations). `sql` must be a string literal: its address is the key. The pointer is
  // valid until the connection is moved or closed.
  [[nodiscard]] StoreResult<Statement*> cached(const char* sql);

  // The error for SQLite result `rc` on this connection, with `what` as context.
  StoreError errorFor(int rc, std::string_view what) const;

  // Rows changed by the last INSERT, UPDATE or DELETE.
  std::int64_t changes() const;

  sqlite3* handle() const { return db_; }

 private:
  explicit SqliteDb(sqlite3* db) : db_(db) {}
  // Finalizes the cached statements (before the handle moves or closes).
  void dropCache();

  sqlite3* db_ = nullptr;
  std::unordered_map<const char*, std::unique_ptr<Statement>> cache_;
};

// A prepared statement. Bind parameters (1-based), then step() until it returns false.
class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  ~Statement();

  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, std::int64_t value);
  Statement& bindBlob(int index, std::span<const std::uint8_t> bytes);
  Statement& bindNull(int index);

  // True when a row is available, false when done; an error for anything else (including a
  // constraint violation, as Conflict).
  [[nodiscard]] StoreResult<bool> step();
  // Runs a statement that returns no rows.
  [[nodiscard]] StoreResult<void> run();

  std::string text(int column) const;
  std::int64_t int64(int column) const;
  std::vector<std::uint8_t> blob(int column) const;
  bool isNull(int column) const;

  // Ready to run again with new bindings.
  void reset();

 private:
  friend class SqliteDb;
  Statement(const SqliteDb& db, sqlite3_stmt* stmt) : db_(&db), stmt_(stmt) {}
  const SqliteDb* db_;
  sqlite3_stmt* stmt_;
};

// Steps `stmt` to its end, calling `onRow(stmt)` for each row; the first error, if any.
template <class OnRow>
[[nodiscard]] StoreResult<void> forEachRow(Statement& stmt, OnRow&& onRow) {
  for (;;) {
    auto more = stmt.step();
    if (!more) return more.error();
    if (!*more) return {};
    onRow(stmt);
  }
}

// BEGIN IMMEDIATE on construction, ROLLBACK on destruction unless commit() succeeded.
class Transaction {
 public:
  [[nodiscard]] static StoreResult<Transaction> begin(SqliteDb& db);
  // A read transaction (BEGIN DEFERRED): one consistent view of the file, no write lock.
  [[nodiscard]] static StoreResult<Transaction> beginRead(SqliteDb& db);
  Transaction(Transaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();
  [[nodiscard]] StoreResult<void> commit();

 private:
  explicit Transaction(SqliteDb& db) : db_(&db) {}
  SqliteDb* db_;
};

}  // namespace latch::store
