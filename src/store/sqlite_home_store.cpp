// SqliteStore as a HomeStore: homes and memberships.
#include "store/sqlite_store.hpp"

#include <fmt/format.h>

#include "common/random.hpp"
#include "store/validation.hpp"

namespace latch::store {
namespace {

constexpr const char* kHomeColumns = "SELECT id, name, owner, created_at FROM homes";

Home homeFrom(const Statement& stmt) {
  return Home{stmt.text(0), stmt.text(1), stmt.text(2), stmt.int64(3)};
}

StoreError unknownHome(std::string_view homeId) {
  return makeError(StoreErrc::NotFound, fmt::format("unknown home {}", idForMessage(homeId)));
}

StoreResult<void> insertMembership(SqliteDb& db, std::string_view homeId, std::string_view subject,
                                   MemberRole role, std::int64_t nowSeconds) {
  auto stmt = db.prepare(
      "INSERT INTO memberships (home_id, subject, role, added_at) VALUES (?1, ?2, ?3, ?4) "
      "ON CONFLICT (home_id, subject) DO UPDATE SET role = excluded.role");
  if (!stmt) return stmt.error();
  return stmt->bind(1, homeId)
      .bind(2, subject)
      .bind(3, memberRoleName(role))
      .bind(4, nowSeconds)
      .run();
}

}  // namespace

StoreResult<std::optional<Home>> SqliteStore::homeLocked(std::string_view homeId) {
  auto stmt = db_.prepare(std::string(kHomeColumns) + " WHERE id = ?1");
  if (!stmt) return stmt.error();
  auto row = stmt->bind(1, homeId).step();
  if (!row) return row.error();
  if (!*row) return std::optional<Home>();
  return std::optional<Home>(homeFrom(*stmt));
}

StoreResult<Home> SqliteStore::createHome(std::string_view name, std::string_view owner,
                                          std::int64_t nowSeconds) {
  if (auto problem = nameProblem("home name", name)) {
    return makeError(StoreErrc::Invalid, *problem);
  }
  if (auto problem = subjectProblem(owner)) return makeError(StoreErrc::Invalid, *problem);
  std::lock_guard lock(mu_);
  auto tx = Transaction::begin(db_);
  if (!tx) return tx.error();
  auto taken = db_.prepare("SELECT 1 FROM homes WHERE owner = ?1 AND name = ?2");
  if (!taken) return taken.error();
  auto exists = taken->bind(1, owner).bind(2, name).step();
  if (!exists) return exists.error();
  if (*exists) {
    return makeError(StoreErrc::Conflict,
                     fmt::format("{} already has a home named '{}'", owner, name));
  }
  Home home{"h_" + randomId128(), std::string(name), std::string(owner), nowSeconds};
  auto insert =
      db_.prepare("INSERT INTO homes (id, name, owner, created_at) VALUES (?1, ?2, ?3, ?4)");
  if (!insert) return insert.error();
  if (auto r = insert->bind(1, home.id).bind(2, name).bind(3, owner).bind(4, nowSeconds).run();
      !r) {
    return r.error();
  }
  if (auto r = insertMembership(db_, home.id, owner, MemberRole::Owner, nowSeconds); !r) {
    return r.error();
  }
  if (auto r = recordChangeLocked(ChangeKind::Home, home.id, nowSeconds); !r) return r.error();
  if (auto r = tx->commit(); !r) return r.error();
  return home;
}

StoreResult<std::vector<Home>> SqliteStore::listHomes() {
  std::lock_guard lock(mu_);
  auto stmt = db_.prepare(std::string(kHomeColumns) + " ORDER BY rowid");
  if (!stmt) return stmt.error();
  std::vector<Home> homes;
  if (auto r = forEachRow(*stmt, [&](const Statement& row) { homes.push_back(homeFrom(row)); });
      !r) {
    return r.error();
  }
  return homes;
}

StoreResult<Home> SqliteStore::findHome(std::string_view homeId) {
  std::lock_guard lock(mu_);
  auto home = homeLocked(homeId);
  if (!home) return home.error();
  if (!*home) return unknownHome(homeId);
  return std::move(**home);
}

StoreResult<void> SqliteStore::setMember(std::string_view homeId, std::string_view subject,
                                         MemberRole role, std::int64_t nowSeconds) {
  if (auto problem = subjectProblem(subject)) return makeError(StoreErrc::Invalid, *problem);
  std::lock_guard lock(mu_);
  auto tx = Transaction::begin(db_);
  if (!tx) return tx.error();
  auto home = homeLocked(homeId);
  if (!home) return home.error();
  if (!*home) return unknownHome(homeId);
  if (auto r = insertMembership(db_, homeId, subject, role, nowSeconds); !r) return r;
  if (auto r = recordChangeLocked(ChangeKind::Home, homeId, nowSeconds); !r) return r;
  return tx->commit();
}

StoreResult<std::optional<MemberRole>> SqliteStore::roleIn(std::string_view homeId,
                                                           std::string_view subject) {
  std::lock_guard lock(mu_);
  auto stmt = db_.prepare("SELECT role FROM memberships WHERE home_id = ?1 AND subject = ?2");
  if (!stmt) return stmt.error();
  auto row = stmt->bind(1, homeId).bind(2, subject).step();
  if (!row) return row.error();
  if (!*row) return std::optional<MemberRole>();
  auto role = parseMemberRole(stmt->text(0));
  if (!role) return makeError(StoreErrc::Corrupt, "a membership has an unknown role");
  return role;
}

StoreResult<std::vector<Membership>> SqliteStore::membershipsLocked(Statement& stmt) {
  std::vector<Membership> memberships;
  bool corrupt = false;
  auto r = forEachRow(stmt, [&](const Statement& row) {
    const auto role = parseMemberRole(row.text(2));
    corrupt = corrupt || !role;
    memberships.push_back(Membership{row.text(0), row.text(1), role.value_or(MemberRole::Member)});
  });
  if (!r) return r.error();
  if (corrupt) return makeError(StoreErrc::Corrupt, "a membership has an unknown role");
  return memberships;
}

StoreResult<std::vector<Membership>> SqliteStore::membersOf(std::string_view homeId) {
  std::lock_guard lock(mu_);
  auto stmt = db_.prepare(
      "SELECT home_id, subject, role FROM memberships WHERE home_id = ?1 "
      "ORDER BY added_at, subject");
  if (!stmt) return stmt.error();
  stmt->bind(1, homeId);
  return membershipsLocked(*stmt);
}

StoreResult<std::vector<Membership>> SqliteStore::membershipsOf(std::string_view subject) {
  std::lock_guard lock(mu_);
  auto stmt = db_.prepare(
      "SELECT home_id, subject, role FROM memberships WHERE subject = ?1 "
      "ORDER BY added_at, home_id");
  if (!stmt) return stmt.error();
  stmt->bind(1, subject);
  return membershipsLocked(*stmt);
}

}  // namespace latch::store
