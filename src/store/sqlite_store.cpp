#include "store/sqlite_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>

#include "store/migrations.hpp"

namespace latch::store {

StoreResult<SqliteStore> SqliteStore::open(const std::string& path) {
  // The owner alone may read it (PAT hashes, audit): create it 0600 before SQLite does, which
  // would use the umask; SQLite gives its -wal and -shm files the same mode. Only when it does
  // not exist yet: closing a descriptor of a file drops every POSIX lock this process holds
  // on it, including those of SQLite connections already open on it.
  std::error_code ec;
  if (path != ":memory:" && !std::filesystem::exists(path, ec)) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) ::close(fd);
  }
  auto db = SqliteDb::open(path);
  if (!db) return db.error();
  if (auto r = migrate(*db); !r) {
    return makeError(r.error().code, path + ": " + r.error().message);
  }
  return SqliteStore(std::move(*db));
}

StoreResult<SqliteStore> SqliteStore::openInDataDir(const std::string& dataDir) {
  return open((std::filesystem::path(dataDir) / kFileName).string());
}

StoreResult<void> SqliteStore::bumpRevision() {
  return db_.exec("UPDATE revocation_revision SET revision = revision + 1 WHERE id = 1");
}

StoreResult<void> SqliteStore::revokeToken(std::string_view jti, std::int64_t untilSeconds,
                                           std::int64_t nowSeconds) {
  if (jti.empty()) return makeError(StoreErrc::Invalid, "a token id (jti) is required");
  std::lock_guard lock(mu_);
  auto tx = Transaction::begin(db_);
  if (!tx) return tx.error();
  auto stmt = db_.prepare(
      "INSERT INTO revoked_tokens (jti, expires_at, revoked_at) VALUES (?1, ?2, ?3) "
      "ON CONFLICT (jti) DO UPDATE SET expires_at = max(expires_at, excluded.expires_at)");
  if (!stmt) return stmt.error();
  if (auto r = stmt->bind(1, jti).bind(2, untilSeconds).bind(3, nowSeconds).run(); !r) return r;
  if (auto r = bumpRevision(); !r) return r;
  return tx->commit();
}

StoreResult<void> SqliteStore::revokeSubject(std::string_view subject, std::int64_t epochSeconds,
                                             std::int64_t nowSeconds) {
  if (subject.empty()) return makeError(StoreErrc::Invalid, "a subject is required");
  std::lock_guard lock(mu_);
  auto tx = Transaction::begin(db_);
  if (!tx) return tx.error();
  auto stmt = db_.prepare(
      "INSERT INTO revoked_subjects (subject, epoch, revoked_at) VALUES (?1, ?2, ?3) "
      "ON CONFLICT (subject) DO UPDATE SET epoch = max(epoch, excluded.epoch), "
      "revoked_at = excluded.revoked_at");
  if (!stmt) return stmt.error();
  if (auto r = stmt->bind(1, subject).bind(2, epochSeconds).bind(3, nowSeconds).run(); !r) {
    return r;
  }
  if (auto r = bumpRevision(); !r) return r;
  return tx->commit();
}

StoreResult<std::uint64_t> SqliteStore::revocationRevision() {
  std::lock_guard lock(mu_);
  auto stmt = db_.prepare("SELECT revision FROM revocation_revision WHERE id = 1");
  if (!stmt) return stmt.error();
  auto row = stmt->step();
  if (!row) return row.error();
  if (!*row) return makeError(StoreErrc::Corrupt, "the revocation revision row is missing");
  return static_cast<std::uint64_t>(stmt->int64(0));
}

StoreResult<Revocations> SqliteStore::loadRevocations(std::int64_t nowSeconds) {
  std::lock_guard lock(mu_);
  // One read transaction: the revision matches the rows read with it.
  if (auto r = db_.exec("BEGIN"); !r) return r.error();
  struct EndRead {
    SqliteDb& db;
    ~EndRead() { (void)db.exec("COMMIT"); }
  } endRead{db_};

  Revocations out;
  auto revision = db_.prepare("SELECT revision FROM revocation_revision WHERE id = 1");
  if (!revision) return revision.error();
  auto row = revision->step();
  if (!row) return row.error();
  if (*row) out.revision = static_cast<std::uint64_t>(revision->int64(0));

  auto tokens = db_.prepare("SELECT jti FROM revoked_tokens WHERE expires_at > ?1");
  if (!tokens) return tokens.error();
  tokens->bind(1, nowSeconds);
  for (;;) {
    auto more = tokens->step();
    if (!more) return more.error();
    if (!*more) break;
    out.tokenIds.push_back(tokens->text(0));
  }

  auto subjects = db_.prepare("SELECT subject, epoch FROM revoked_subjects");
  if (!subjects) return subjects.error();
  for (;;) {
    auto more = subjects->step();
    if (!more) return more.error();
    if (!*more) break;
    out.subjectEpochs.emplace_back(subjects->text(0), subjects->int64(1));
  }
  return out;
}

StoreResult<std::int64_t> SqliteStore::purgeRevocations(std::int64_t nowSeconds) {
  std::lock_guard lock(mu_);
  auto stmt = db_.prepare("DELETE FROM revoked_tokens WHERE expires_at <= ?1");
  if (!stmt) return stmt.error();
  if (auto r = stmt->bind(1, nowSeconds).run(); !r) return r.error();
  return db_.changes();
}

}  // namespace latch::store
