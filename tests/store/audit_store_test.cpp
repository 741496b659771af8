#include <cstdint>
#include <thread>

#include <gtest/gtest.h>

#include "store/audit_hash.hpp"
#include "store/audit_store.hpp"
#include "store/sqlite_db.hpp"
#include "store/sqlite_store.hpp"
#include "support/store_test.hpp"

namespace latch::store {
namespace {

constexpr std::int64_t kNowMs = 1'764'405'600'000;

AuditRecord recordFor(int i, std::string homeId = "h_home") {
  AuditRecord r;
  r.timeMs = kNowMs + i;
  r.kind = "command";
  r.actor = "alice";
  r.homeId = std::move(homeId);
  r.deviceId = "d_door";
  r.action = "OPEN_DOOR";
  r.outcome = i % 2 ? "ok" : "denied";
  r.connectionId = "c" + std::to_string(i);
  r.detail = "attempt " + std::to_string(i);
  return r;
}

class AuditStoreTest : public testing::StoreTest {
 protected:
  // Appends records 1..n through a store, then returns a raw connection to tamper with.
  SqliteDb appendThenOpenRaw(int n) {
    {
      auto store = open();
      for (int i = 1; i <= n; ++i) EXPECT_TRUE(store.append(recordFor(i)));
    }
    auto db = SqliteDb::open(dir.file("latch.db"));
    EXPECT_TRUE(db);
    return std::move(*db);
  }

  AuditVerdict verify() {
    auto store = open();
    auto verdict = store.verifyAudit();
    EXPECT_TRUE(verdict) << (verdict ? "" : verdict.error().message);
    return *verdict;
  }
};

TEST(AuditHashTest, EveryFieldAndItsBoundariesChangeTheHash) {
  AuditRecord base = recordFor(1);
  base.seq = 1;
  const auto hash = auditRecordHash(base);
  EXPECT_EQ(hash.size(), 64u);
  EXPECT_EQ(auditRecordHash(base), hash);
  auto changed = [&](auto mutate) {
    AuditRecord r = base;
    mutate(r);
    return auditRecordHash(r) != hash;
  };
  EXPECT_TRUE(changed([](AuditRecord& r) { r.seq = 2; }));
  EXPECT_TRUE(changed([](AuditRecord& r) { r.timeMs += 1; }));
  EXPECT_TRUE(changed([](AuditRecord& r) { r.kind = "denial"; }));
  EXPECT_TRUE(changed([](AuditRecord& r) { r.actor = "bob"; }));
  EXPECT_TRUE(changed([](AuditRecord& r) { r.homeId = "h_other"; }));
  EXPECT_TRUE(changed([](AuditRecord& r) { r.deviceId = ""; }));
  EXPECT_TRUE(changed([](AuditRecord& r) { r.action = "LOCK_DOOR"; }));
  EXPECT_TRUE(changed([](AuditRecord& r) { r.outcome = "failed"; }));
  EXPECT_TRUE(changed([](AuditRecord& r) { r.connectionId = "c9"; }));
  EXPECT_TRUE(changed([](AuditRecord& r) { r.detail += "."; }));
  EXPECT_TRUE(changed([](AuditRecord& r) { r.prevHash = std::string(64, '0'); }));
  // Moving text across a field boundary is a different record.
  EXPECT_TRUE(changed([](AuditRecord& r) {
    r.action = "OPEN_DOORo";
    r.outcome = r.outcome.substr(1);
  }));
  EXPECT_FALSE(changed([](AuditRecord& r) { r.hash = "ignored"; }));
}

TEST_F(AuditStoreTest, AnEmptyLogIsIntact) {
  const auto verdict = verify();
  EXPECT_TRUE(verdict.intact);
  EXPECT_EQ(verdict.records, 0);
}

TEST_F(AuditStoreTest, AppendedRecordsAreChainedInSeqOrder) {
  auto store = open();
  EXPECT_EQ(store.append(recordFor(1)).value(), 1);
  EXPECT_EQ(store.append(recordFor(2)).value(), 2);
  ASSERT_TRUE(store.appendAll({recordFor(3), recordFor(4)}));
  ASSERT_TRUE(store.appendAll({}));
  auto records = store.listAudit(std::nullopt, SIZE_MAX);
  ASSERT_TRUE(records);
  ASSERT_EQ(records->size(), 4u);
  std::string previous;
  for (std::size_t i = 0; i < records->size(); ++i) {
    const auto& r = (*records)[i];
    EXPECT_EQ(r.seq, static_cast<std::int64_t>(i + 1));
    EXPECT_EQ(r.prevHash, previous);
    EXPECT_EQ(r.hash, auditRecordHash(r));
    EXPECT_EQ(r.connectionId, "c" + std::to_string(i + 1));
    previous = r.hash;
  }
  const auto verdict = store.verifyAudit().value();
  EXPECT_TRUE(verdict.intact) << verdict.reason;
  EXPECT_EQ(verdict.records, 4);
}

TEST_F(AuditStoreTest, ListingFiltersByHomeAndKeepsTheNewestUpToTheLimit) {
  auto store = open();
  for (int i = 1; i <= 6; ++i) ASSERT_TRUE(store.append(recordFor(i, i % 2 ? "h_a" : "h_b")));
  auto newest = store.listAudit(std::nullopt, 2).value();
  ASSERT_EQ(newest.size(), 2u);
  EXPECT_EQ(newest[0].seq, 5);
  EXPECT_EQ(newest[1].seq, 6);
  auto homeA = store.listAudit(std::string_view("h_a"), SIZE_MAX).value();
  ASSERT_EQ(homeA.size(), 3u);
  EXPECT_EQ(homeA[0].seq, 1);
  EXPECT_EQ(homeA[2].seq, 5);
  EXPECT_EQ(store.listAudit(std::string_view("h_b"), 1).value().front().seq, 6);
  EXPECT_TRUE(store.listAudit(std::string_view("h_none"), SIZE_MAX).value().empty());
  EXPECT_TRUE(store.listAudit(std::nullopt, 0).value().empty());
}

TEST_F(AuditStoreTest, HugeFieldsAreCutAtACharacterBoundary) {
  auto store = open();
  AuditRecord r = recordFor(1);
  r.action = std::string(kMaxAuditFieldBytes - 1, 'A') + "\xc3\xa9" + "tail";
  ASSERT_TRUE(store.append(r));
  const auto stored = store.listAudit(std::nullopt, 1).value().front();
  EXPECT_EQ(stored.action, std::string(kMaxAuditFieldBytes - 1, 'A'));
  EXPECT_TRUE(store.verifyAudit().value().intact);
}

TEST_F(AuditStoreTest, TwoStoresAppendingInTurnKeepOneChain) {
  auto first = open();
  auto second = open();
  constexpr int kEach = 25;
  for (int i = 0; i < kEach; ++i) {
    ASSERT_TRUE(first.append(recordFor(2 * i)));
    ASSERT_TRUE(second.appendAll({recordFor(2 * i + 1)}));
  }
  const auto verdict = first.verifyAudit().value();
  EXPECT_TRUE(verdict.intact) << verdict.reason;
  EXPECT_EQ(verdict.records, 2 * kEach);
  EXPECT_TRUE(second.verifyAudit().value().intact);
}

TEST_F(AuditStoreTest, TwoStoresAppendingAtOnceKeepOneChain) {
  constexpr int kEach = 50;
  auto worker = [this](int offset) {
    auto store = open();
    for (int i = 0; i < kEach; ++i) ASSERT_TRUE(store.append(recordFor(offset + i)));
  };
  std::thread a(worker, 0);
  std::thread b(worker, 1000);
  a.join();
  b.join();
  const auto verdict = verify();
  EXPECT_TRUE(verdict.intact) << verdict.reason;
  EXPECT_EQ(verdict.records, 2 * kEach);
}

TEST_F(AuditStoreTest, VerifyDetectsAnEditedRecord) {
  auto db = appendThenOpenRaw(5);
  ASSERT_TRUE(db.exec("UPDATE audit SET outcome = 'ok' WHERE seq = 2"));
  const auto verdict = verify();
  EXPECT_FALSE(verdict.intact);
  EXPECT_EQ(verdict.badSeq, 2);
  EXPECT_NE(verdict.reason.find("hash mismatch"), std::string::npos) << verdict.reason;
}

TEST_F(AuditStoreTest, VerifyDetectsAnEditedRecordWhoseHashWasRecomputed) {
  auto db = appendThenOpenRaw(5);
  auto store = open();
  auto record = store.listAudit(std::nullopt, SIZE_MAX).value()[2];
  record.actor = "someone else";
  auto update = db.prepare("UPDATE audit SET actor = ?1, hash = ?2 WHERE seq = 3");
  ASSERT_TRUE(update);
  ASSERT_TRUE(update->bind(1, record.actor).bind(2, auditRecordHash(record)).run());
  const auto verdict = store.verifyAudit().value();
  EXPECT_FALSE(verdict.intact);
  EXPECT_EQ(verdict.badSeq, 4);
  EXPECT_NE(verdict.reason.find("prev_hash mismatch"), std::string::npos) << verdict.reason;
}

TEST_F(AuditStoreTest, VerifyDetectsADeletedMiddleRecord) {
  auto db = appendThenOpenRaw(5);
  ASSERT_TRUE(db.exec("DELETE FROM audit WHERE seq = 3"));
  const auto verdict = verify();
  EXPECT_FALSE(verdict.intact);
  EXPECT_EQ(verdict.badSeq, 4);
  EXPECT_NE(verdict.reason.find("gap after 2"), std::string::npos) << verdict.reason;
}

TEST_F(AuditStoreTest, VerifyDetectsADeletedMiddleRecordWithTheRestRenumbered) {
  auto db = appendThenOpenRaw(5);
  ASSERT_TRUE(
      db.exec("DELETE FROM audit WHERE seq = 3; UPDATE audit SET seq = seq - 1 WHERE seq "
              "> 3; UPDATE audit_head SET seq = 4"));
  const auto verdict = verify();
  EXPECT_FALSE(verdict.intact);
  EXPECT_EQ(verdict.badSeq, 3);
}

TEST_F(AuditStoreTest, VerifyDetectsADeletedFirstRecord) {
  auto db = appendThenOpenRaw(3);
  ASSERT_TRUE(db.exec("DELETE FROM audit WHERE seq = 1"));
  const auto verdict = verify();
  EXPECT_FALSE(verdict.intact);
  EXPECT_EQ(verdict.badSeq, 2);
}

TEST_F(AuditStoreTest, VerifyDetectsADeletedLastRecord) {
  auto db = appendThenOpenRaw(5);
  ASSERT_TRUE(db.exec("DELETE FROM audit WHERE seq = 5"));
  const auto verdict = verify();
  EXPECT_FALSE(verdict.intact);
  EXPECT_EQ(verdict.badSeq, 5);
  EXPECT_EQ(verdict.records, 4);
  EXPECT_NE(verdict.reason.find("newest records are missing"), std::string::npos) << verdict.reason;
}

TEST_F(AuditStoreTest, VerifyDetectsAnEmptiedLog) {
  auto db = appendThenOpenRaw(3);
  ASSERT_TRUE(db.exec("DELETE FROM audit"));
  const auto verdict = verify();
  EXPECT_FALSE(verdict.intact);
  EXPECT_EQ(verdict.badSeq, 1);
}

TEST_F(AuditStoreTest, VerifyDetectsTwoSwappedRecords) {
  auto db = appendThenOpenRaw(5);
  ASSERT_TRUE(
      db.exec("UPDATE audit SET seq = -1 WHERE seq = 2; "
              "UPDATE audit SET seq = 2 WHERE seq = 3; "
              "UPDATE audit SET seq = 3 WHERE seq = -1"));
  const auto verdict = verify();
  EXPECT_FALSE(verdict.intact);
  EXPECT_EQ(verdict.badSeq, 2);
  EXPECT_NE(verdict.reason.find("mismatch"), std::string::npos) << verdict.reason;
}

TEST_F(AuditStoreTest, VerifyDetectsARecordInsertedAfterTheHead) {
  auto db = appendThenOpenRaw(2);
  ASSERT_TRUE(
      db.exec("INSERT INTO audit SELECT seq + 1, time_ms, kind, actor, home_id, "
              "device_id, action, outcome, connection_id, detail, hash, hash "
              "FROM audit WHERE seq = 2"));
  const auto verdict = verify();
  EXPECT_FALSE(verdict.intact);
  EXPECT_EQ(verdict.badSeq, 3);
}

TEST_F(AuditStoreTest, AppendingAfterATamperedHeadStillFailsVerification) {
  auto db = appendThenOpenRaw(3);
  ASSERT_TRUE(db.exec("UPDATE audit SET detail = 'x' WHERE seq = 1"));
  auto store = open();
  ASSERT_TRUE(store.append(recordFor(9)));
  const auto verdict = store.verifyAudit().value();
  EXPECT_FALSE(verdict.intact);
  EXPECT_EQ(verdict.badSeq, 1);
}

}  // namespace
}  // namespace latch::store
