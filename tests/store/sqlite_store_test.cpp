#include "store/sqlite_store.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "store/migrations.hpp"
#include "store/sqlite_db.hpp"
#include "support/store_test.hpp"

namespace latch::store {
namespace {

constexpr std::int64_t kNow = 1'764'405'600;

class SqliteStoreTest : public testing::StoreTest {};

TEST_F(SqliteStoreTest, NewDatabaseIsMigratedToTheLatestSchemaInWalMode) {
  (void)open();
  auto db = SqliteDb::open(dir.file("latch.db"));
  ASSERT_TRUE(db);
  auto version = db->prepare("PRAGMA user_version");
  ASSERT_TRUE(version && *version->step());
  EXPECT_EQ(version->int64(0), latestSchemaVersion());
  auto mode = db->prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode && *mode->step());
  EXPECT_EQ(mode->text(0), "wal");
}

TEST_F(SqliteStoreTest, TheDatabaseFilesAreReadableByTheOwnerOnly) {
  auto store = open();
  ASSERT_TRUE(store.revokeToken("j", kNow + 60, kNow));  // creates the WAL
  for (const char* name : {"latch.db", "latch.db-wal"}) {
    struct stat st {};
    ASSERT_EQ(::stat(dir.file(name).c_str(), &st), 0) << name;
    EXPECT_EQ(st.st_mode & 0777, 0600) << name;
  }
}

TEST_F(SqliteStoreTest, ReopeningAMigratedDatabaseKeepsItsData) {
  {
    auto store = open();
    ASSERT_TRUE(store.revokeToken("jti-1", kNow + 60, kNow));
  }
  auto store = open();
  auto r = store.loadRevocations(kNow);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->tokenIds, std::vector<std::string>{"jti-1"});
}

TEST_F(SqliteStoreTest, DatabaseFromANewerLatchIsRefusedAndLeftUntouched) {
  {
    auto db = SqliteDb::open(dir.file("latch.db"));
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->exec("PRAGMA user_version = 999"));
  }
  auto store = SqliteStore::open(dir.file("latch.db"));
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, StoreErrc::SchemaTooNew);
  EXPECT_NE(store.error().message.find("newer Latch"), std::string::npos);
  auto db = SqliteDb::open(dir.file("latch.db"));
  auto version = db->prepare("PRAGMA user_version");
  ASSERT_TRUE(version && *version->step());
  EXPECT_EQ(version->int64(0), 999);
}

TEST_F(SqliteStoreTest, AFileThatIsNotADatabaseIsRefusedWithAClearErrorNotReset) {
  const std::string garbage(8192, 'x');
  std::ofstream(dir.file("latch.db"), std::ios::binary) << garbage;
  auto store = SqliteStore::open(dir.file("latch.db"));
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, StoreErrc::Corrupt);
  EXPECT_NE(store.error().message.find("latch.db"), std::string::npos);
  std::ifstream in(dir.file("latch.db"), std::ios::binary);
  const std::string after((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(after, garbage);
}

TEST_F(SqliteStoreTest, AnUnopenablePathIsReported) {
  auto store = SqliteStore::open(dir.file("missing-dir/latch.db"));
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, StoreErrc::OpenFailed);
}

TEST_F(SqliteStoreTest, RevokedTokensLastUntilTheirTimeAndArePurgedAfter) {
  auto store = open();
  ASSERT_TRUE(store.revokeToken("short", kNow + 10, kNow));
  ASSERT_TRUE(store.revokeToken("long", kNow + 100, kNow));
  auto r = store.loadRevocations(kNow + 50);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->tokenIds, std::vector<std::string>{"long"});
  auto purged = store.purgeRevocations(kNow + 50);
  ASSERT_TRUE(purged);
  EXPECT_EQ(*purged, 1);
  r = store.loadRevocations(kNow);
  EXPECT_EQ(r->tokenIds, std::vector<std::string>{"long"});
}

TEST_F(SqliteStoreTest, RevokingATokenAgainNeverShortensItsEntry) {
  auto store = open();
  ASSERT_TRUE(store.revokeToken("t", kNow + 100, kNow));
  ASSERT_TRUE(store.revokeToken("t", kNow + 10, kNow));
  auto r = store.loadRevocations(kNow + 50);
  EXPECT_EQ(r->tokenIds, std::vector<std::string>{"t"});
}

TEST_F(SqliteStoreTest, SubjectEpochOnlyMovesForward) {
  auto store = open();
  ASSERT_TRUE(store.revokeSubject("alice", kNow, kNow));
  ASSERT_TRUE(store.revokeSubject("alice", kNow - 100, kNow));
  auto r = store.loadRevocations(kNow);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->subjectEpochs.size(), 1u);
  EXPECT_EQ(r->subjectEpochs[0], (std::pair<std::string, std::int64_t>("alice", kNow)));
  ASSERT_TRUE(store.revokeSubject("alice", kNow + 5, kNow + 5));
  r = store.loadRevocations(kNow);
  EXPECT_EQ(r->subjectEpochs[0].second, kNow + 5);
}

TEST_F(SqliteStoreTest, EveryRevocationMovesTheRevisionSeenByAnotherConnection) {
  auto writer = open();
  auto reader = open();
  auto r0 = reader.revocationRevision();
  ASSERT_TRUE(r0);
  ASSERT_TRUE(writer.revokeToken("a", kNow + 60, kNow));
  auto r1 = reader.revocationRevision();
  ASSERT_TRUE(r1);
  EXPECT_GT(*r1, *r0);
  ASSERT_TRUE(writer.revokeSubject("bob", kNow, kNow));
  auto r2 = reader.revocationRevision();
  EXPECT_GT(*r2, *r1);
  auto loaded = reader.loadRevocations(kNow);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->revision, *r2);
}

TEST_F(SqliteStoreTest, EmptyIdsAreRefused) {
  auto store = open();
  EXPECT_EQ(store.revokeToken("", kNow, kNow).error().code, StoreErrc::Invalid);
  EXPECT_EQ(store.revokeSubject("", kNow, kNow).error().code, StoreErrc::Invalid);
}

TEST_F(SqliteStoreTest, HostileIdsAreStoredAsData) {
  auto store = open();
  const std::string hostile = "x'); DROP TABLE revoked_tokens; --";
  ASSERT_TRUE(store.revokeToken(hostile, kNow + 60, kNow));
  auto r = store.loadRevocations(kNow);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->tokenIds, std::vector<std::string>{hostile});
}

// Writes `batches` transactions of 2,000 audit records each on `store`.
void appendBatches(SqliteStore& store, int batches) {
  for (int b = 0; b < batches; ++b) {
    std::vector<AuditRecord> records(2000);
    for (auto& r : records) {
      r.kind = "command";
      r.actor = std::string(100, 'a');
      r.detail = std::string(100, 'd');
    }
    ASSERT_TRUE(store.appendAll(std::move(records)));
  }
}

// The audit writer's connection leaves WAL checkpoints (and their fsyncs) to another
// connection: its log grows past SQLite's automatic checkpoint size until checkpoint() runs,
// and after that the log is reused instead of growing.
TEST_F(SqliteStoreTest, AConnectionLeavingCheckpointsToOthersLetsTheLogGrowUntilOneIsMade) {
  testing::TempDir controlDir;
  auto control = SqliteStore::openInDataDir(controlDir.path().string());
  ASSERT_TRUE(control);
  appendBatches(*control, 12);
  const auto walSize = [](const std::string& db) {
    return std::filesystem::file_size(db + "-wal");
  };
  const auto controlWal = walSize(controlDir.file("latch.db"));

  auto writer = open();
  ASSERT_TRUE(writer.leaveCheckpointsToOthers());
  appendBatches(writer, 12);
  const auto grown = walSize(dir.file("latch.db"));
  EXPECT_GT(grown, controlWal * 3 / 2) << "the writer checkpointed by itself";

  auto other = open();
  ASSERT_TRUE(other.checkpoint());
  appendBatches(writer, 3);
  EXPECT_EQ(walSize(dir.file("latch.db")), grown) << "the log was not reused after the checkpoint";
}

}  // namespace
}  // namespace latch::store
