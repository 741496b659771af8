// SqliteStore as an AuditStore: the hash-chained audit log.
#include "store/sqlite_store.hpp"

#include <algorithm>
#include <limits>

#include <fmt/format.h>

#include "store/audit_hash.hpp"

namespace latch::store {
namespace {

constexpr const char* kAuditColumns =
    "SELECT seq, time_ms, kind, actor, home_id, device_id, action, outcome, connection_id, "
    "detail, prev_hash, hash FROM audit";

AuditRecord recordFrom(const Statement& stmt) {
  AuditRecord r;
  r.seq = stmt.int64(0);
  r.timeMs = stmt.int64(1);
  r.kind = stmt.text(2);
  r.actor = stmt.text(3);
  r.homeId = stmt.text(4);
  r.deviceId = stmt.text(5);
  r.action = stmt.text(6);
  r.outcome = stmt.text(7);
  r.connectionId = stmt.text(8);
  r.detail = stmt.text(9);
  r.prevHash = stmt.text(10);
  r.hash = stmt.text(11);
  return r;
}

// Cuts `field` to kMaxAuditFieldBytes without splitting a UTF-8 sequence.
void capField(std::string& field) {
  if (field.size() <= kMaxAuditFieldBytes) return;
  std::size_t end = kMaxAuditFieldBytes;
  while (end > 0 && (static_cast<unsigned char>(field[end]) & 0xc0) == 0x80) --end;
  field.resize(end);
}

struct Head {
  std::int64_t seq = 0;
  std::string hash;
};

StoreResult<Head> readHead(SqliteDb& db) {
  auto stmt = db.cached("SELECT seq, hash FROM audit_head WHERE id = 1");
  if (!stmt) return stmt.error();
  auto row = (*stmt)->step();
  if (!row) return row.error();
  if (!*row) return makeError(StoreErrc::Corrupt, "the audit head row is missing");
  Head head{(*stmt)->int64(0), (*stmt)->text(1)};
  (*stmt)->reset();  // ends its read of the head before the write
  return head;
}

// Ends a read transaction however the reader returns.
struct ReadTransaction {
  SqliteDb& db;
  ~ReadTransaction() { (void)db.exec("COMMIT"); }
};

// Where the chain breaks at `record`, given the record before it ("" if it holds).
std::string breakAt(const AuditRecord& record, std::int64_t previousSeq,
                    const std::string& previousHash) {
  if (record.seq != previousSeq + 1) {
    return previousSeq == 0 ? fmt::format("records before {} are missing", record.seq)
                            : fmt::format("gap after {}: records are missing", previousSeq);
  }
  if (record.prevHash != previousHash) return "prev_hash mismatch: a record before it changed";
  if (record.hash != auditRecordHash(record)) return "hash mismatch: the record was edited";
  return {};
}

}  // namespace

StoreResult<void> SqliteStore::appendLocked(std::span<AuditRecord> records) {
  auto head = readHead(db_);
  if (!head) return head.error();
  // One statement of each kind for the whole batch: a batch is one transaction, and the
  // head row is written once, at its end.
  auto cachedInsert = db_.cached(
      "INSERT INTO audit (seq, time_ms, kind, actor, home_id, device_id, action, outcome, "
      "connection_id, detail, prev_hash, hash) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
  if (!cachedInsert) return cachedInsert.error();
  Statement* insert = *cachedInsert;
  for (auto& record : records) {
    for (auto* field : {&record.kind, &record.actor, &record.homeId, &record.deviceId,
                        &record.action, &record.outcome, &record.connectionId, &record.detail}) {
      capField(*field);
    }
    record.seq = head->seq + 1;
    record.prevHash = std::move(head->hash);
    record.hash = auditRecordHash(record);
    insert->reset();
    insert->bind(1, record.seq).bind(2, record.timeMs).bind(3, record.kind).bind(4, record.actor);
    insert->bind(5, record.homeId).bind(6, record.deviceId).bind(7, record.action);
    insert->bind(8, record.outcome).bind(9, record.connectionId).bind(10, record.detail);
    insert->bind(11, record.prevHash).bind(12, record.hash);
    if (auto r = insert->run(); !r) return r.error();
    head->seq = record.seq;
    head->hash = record.hash;
  }
  auto update = db_.cached("UPDATE audit_head SET seq = ?1, hash = ?2 WHERE id = 1");
  if (!update) return update.error();
  return (*update)->bind(1, head->seq).bind(2, head->hash).run();
}

StoreResult<std::int64_t> SqliteStore::append(AuditRecord record) {
  std::lock_guard lock(mu_);
  // BEGIN IMMEDIATE takes the write lock before the head is read: two processes appending at
  // once take turns, and each links to the other's last record.
  auto tx = Transaction::begin(db_);
  if (!tx) return tx.error();
  if (auto r = appendLocked(std::span(&record, 1)); !r) return r.error();
  if (auto r = tx->commit(); !r) return r.error();
  return record.seq;
}

StoreResult<void> SqliteStore::appendAll(std::vector<AuditRecord> records) {
  if (records.empty()) return {};
  std::lock_guard lock(mu_);
  auto tx = Transaction::begin(db_);
  if (!tx) return tx.error();
  if (auto r = appendLocked(records); !r) return r;
  return tx->commit();
}

StoreResult<std::vector<AuditRecord>> SqliteStore::listAudit(std::optional<std::string_view> homeId,
                                                             std::size_t limit) {
  const auto maxRows = static_cast<std::int64_t>(
      std::min<std::size_t>(limit, std::numeric_limits<std::int64_t>::max()));
  std::lock_guard lock(mu_);
  auto stmt = homeId ? db_.prepare(std::string(kAuditColumns) +
                                   " WHERE home_id = ?1 ORDER BY seq DESC LIMIT ?2")
                     : db_.prepare(std::string(kAuditColumns) + " ORDER BY seq DESC LIMIT ?2");
  if (!stmt) return stmt.error();
  if (homeId) stmt->bind(1, *homeId);
  stmt->bind(2, maxRows);
  std::vector<AuditRecord> records;
  if (auto r = forEachRow(*stmt, [&](const Statement& row) { records.push_back(recordFrom(row)); });
      !r) {
    return r.error();
  }
  std::reverse(records.begin(), records.end());
  return records;
}

StoreResult<AuditVerdict> SqliteStore::verifyAudit() {
  std::lock_guard lock(mu_);
  // One read transaction: the head and the records are one snapshot, even while another
  // process appends.
  if (auto r = db_.exec("BEGIN"); !r) return r.error();
  ReadTransaction endRead{db_};
  auto head = readHead(db_);
  if (!head) return head.error();
  auto stmt = db_.prepare(std::string(kAuditColumns) + " ORDER BY seq");
  if (!stmt) return stmt.error();

  AuditVerdict verdict;
  std::int64_t previousSeq = 0;
  std::string previousHash;
  auto walked = forEachRow(*stmt, [&](const Statement& row) {
    if (!verdict.intact) return;
    const AuditRecord record = recordFrom(row);
    ++verdict.records;
    if (auto reason = breakAt(record, previousSeq, previousHash); !reason.empty()) {
      verdict = AuditVerdict{false, verdict.records, record.seq, std::move(reason)};
      return;
    }
    previousSeq = record.seq;
    previousHash = record.hash;
  });
  if (!walked) return walked.error();
  if (!verdict.intact) return verdict;
  if (head->seq != previousSeq || head->hash != previousHash) {
    const bool truncated = head->seq > previousSeq;
    verdict.intact = false;
    verdict.badSeq = truncated ? previousSeq + 1 : std::min(head->seq + 1, previousSeq);
    verdict.reason = truncated ? fmt::format(
                                     "the newest records are missing: the log ends at {}, its head "
                                     "says {}",
                                     previousSeq, head->seq)
                               : fmt::format("head mismatch: the head says {}, the log ends at {}",
                                             head->seq, previousSeq);
  }
  return verdict;
}

}  // namespace latch::store
