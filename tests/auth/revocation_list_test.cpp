#include "auth/revocation_list.hpp"

#include <gtest/gtest.h>

#include "auth/jwt_signer.hpp"
#include "auth/revocation_watcher.hpp"
#include "store/audit_writer.hpp"
#include "store/sqlite_store.hpp"
#include "support/temp_dir.hpp"
#include "support/test_auth.hpp"

namespace latch::auth {
namespace {

constexpr std::int64_t kNow = 1'764'405'600;

store::Revocations revocations(std::vector<std::string> ids,
                               std::vector<std::pair<std::string, std::int64_t>> epochs) {
  return store::Revocations{1, std::move(ids), std::move(epochs)};
}

TEST(RevocationListTest, ATokenIdOnTheListIsRevokedWhateverItsSubject) {
  RevocationList list;
  list.replace(revocations({"j1"}, {}));
  EXPECT_TRUE(list.isRevoked("alice", "j1", kNow));
  EXPECT_TRUE(list.isRevoked("bob", "j1", kNow));
  EXPECT_FALSE(list.isRevoked("alice", "j2", kNow));
}

TEST(RevocationListTest, ASubjectEpochRevokesTokensIssuedAtOrBeforeIt) {
  RevocationList list;
  list.replace(revocations({}, {{"alice", kNow}}));
  EXPECT_TRUE(list.isRevoked("alice", "j", kNow - 100));
  EXPECT_TRUE(list.isRevoked("alice", "j", kNow));
  EXPECT_FALSE(list.isRevoked("alice", "j", kNow + 1));
  EXPECT_FALSE(list.isRevoked("bob", "j", kNow - 100));
  EXPECT_TRUE(list.isRevoked("alice", "j", 0));  // no iat: cannot be newer than the epoch
}

TEST(RevocationListTest, ReplaceSwapsTheWholeListAndMovesTheGeneration) {
  RevocationList list;
  EXPECT_EQ(list.generation(), 0u);
  list.replace(revocations({"j1"}, {}));
  const auto g = list.generation();
  list.replace(revocations({"j2"}, {}));
  EXPECT_GT(list.generation(), g);
  EXPECT_FALSE(list.isRevoked("a", "j1", kNow));
  EXPECT_TRUE(list.isRevoked("a", "j2", kNow));
}

TEST(RevocationWatcherTest, PicksUpRevocationsWrittenThroughAnotherStoreConnection) {
  testing::TempDir dir;
  auto reader = store::SqliteStore::openInDataDir(dir.path().string());
  auto writer = store::SqliteStore::openInDataDir(dir.path().string());
  ASSERT_TRUE(reader && writer);
  testing::ManualWallClock clock;
  RevocationList list;
  RevocationWatcher watcher(*reader, list, clock, std::chrono::milliseconds(10'000));
  ASSERT_TRUE(watcher.pollOnce());
  const auto loaded = list.generation();
  EXPECT_EQ(*watcher.pollOnce(), false);  // nothing changed: no reload
  EXPECT_EQ(list.generation(), loaded);

  ASSERT_TRUE(writer->revokeToken("j9", clock.nowSeconds() + 60, clock.nowSeconds()));
  EXPECT_EQ(*watcher.pollOnce(), true);
  EXPECT_TRUE(list.isRevoked("anyone", "j9", clock.nowSeconds()));
}

TEST(RevocationWatcherTest, EveryLaterChangeIsPickedUpToo) {
  testing::TempDir dir;
  auto reader = store::SqliteStore::openInDataDir(dir.path().string());
  testing::ManualWallClock clock;
  RevocationList list;
  RevocationWatcher watcher(*reader, list, clock, std::chrono::milliseconds(10'000));
  ASSERT_TRUE(watcher.pollOnce());
  for (const char* sub : {"a", "b", "c"}) {
    // A new writer each time, like separate `latch token revoke` processes.
    auto writer = store::SqliteStore::openInDataDir(dir.path().string());
    ASSERT_TRUE(writer->revokeSubject(sub, clock.nowSeconds(), clock.nowSeconds()));
    auto changed = watcher.pollOnce();
    ASSERT_TRUE(changed);
    EXPECT_TRUE(*changed) << sub;
    EXPECT_TRUE(list.isRevoked(sub, "j", clock.nowSeconds())) << sub;
  }
}

TEST(RevocationWatcherTest, ChangesByAnotherProcessArePickedUpEachTime) {
  testing::TempDir dir;
  auto reader = store::SqliteStore::openInDataDir(dir.path().string());
  // The server keeps other connections to the same file open (the relay's).
  auto other = store::SqliteStore::openInDataDir(dir.path().string());
  store::AuditWriter writer(*other);
  testing::ManualWallClock clock;
  RevocationList list;
  RevocationWatcher watcher(*reader, list, clock, std::chrono::milliseconds(10'000));
  ASSERT_TRUE(watcher.pollOnce());
  for (int i = 1; i <= 3; ++i) {
    const std::string command = "sqlite3 " + dir.file("latch.db") +
                                " 'UPDATE revocation_revision SET revision = revision + 1'";
    ASSERT_EQ(std::system(command.c_str()), 0);
    EXPECT_EQ(*reader->revocationRevision(), static_cast<std::uint64_t>(i));
    EXPECT_TRUE(*watcher.pollOnce()) << i;
  }
}

TEST(RevocationWatcherTest, TheThreadAppliesARevocationWithinItsInterval) {
  testing::TempDir dir;
  auto reader = store::SqliteStore::openInDataDir(dir.path().string());
  auto writer = store::SqliteStore::openInDataDir(dir.path().string());
  ASSERT_TRUE(reader && writer);
  SystemWallClock clock;
  RevocationList list;
  RevocationWatcher watcher(*reader, list, clock, std::chrono::milliseconds(20));
  ASSERT_TRUE(watcher.start());
  const std::int64_t revokedAt = clock.nowSeconds();
  ASSERT_TRUE(writer->revokeSubject("alice", revokedAt, revokedAt));
  // A token issued before the revocation (not "now": a second may pass while waiting, and a
  // token issued after the epoch is rightly not revoked).
  const std::int64_t issuedAt = revokedAt - 1;
  // Waits for an event, not a duration: fails only if the watcher never applies it.
  for (int i = 0; i < 500 && !list.isRevoked("alice", "j", issuedAt); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(list.isRevoked("alice", "j", issuedAt));
  watcher.stop();
}

class AuthenticatorRulesTest : public ::testing::Test {
 protected:
  // A token signed with the test key, with `claims` as its payload.
  std::string sign(boost::json::object claims) { return *signJwt(*auth.keys.current(), claims); }
  boost::json::object claims() {
    const auto now = auth.wall.nowSeconds();
    return {{"iss", "latch"}, {"aud", "latch"},  {"sub", "alice"},   {"jti", "j-1"},
            {"iat", now},     {"exp", now + 60}, {"roles", {"user"}}};
  }
  testing::TestAuth auth;
};

TEST_F(AuthenticatorRulesTest, AWellFormedTokenIsAccepted) {
  auto p = auth.authenticator->authenticate(sign(claims()));
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->subject, "alice");
  EXPECT_EQ(p->tokenId, "j-1");
}

TEST_F(AuthenticatorRulesTest, ATokenWithoutJtiIsRefused) {
  auto c = claims();
  c.erase("jti");
  EXPECT_EQ(auth.authenticator->authenticate(sign(c)).error().code, AuthErrc::MissingClaim);
}

TEST_F(AuthenticatorRulesTest, ATokenWithoutIatIsRefused) {
  auto c = claims();
  c.erase("iat");
  EXPECT_EQ(auth.authenticator->authenticate(sign(c)).error().code, AuthErrc::MissingClaim);
}

TEST_F(AuthenticatorRulesTest, ATokenLivingLongerThanTheMaximumIsRefused) {
  auto c = claims();
  c["exp"] = c["iat"].as_int64() + 24 * 3600 + 1;
  EXPECT_EQ(auth.authenticator->authenticate(sign(c)).error().code, AuthErrc::LifetimeTooLong);
  c["exp"] = c["iat"].as_int64() + 24 * 3600;
  EXPECT_TRUE(auth.authenticator->authenticate(sign(c)));
}

TEST_F(AuthenticatorRulesTest, ARevokedJtiIsRefused) {
  auth.revokeToken("j-1");
  EXPECT_EQ(auth.authenticator->authenticate(sign(claims())).error().code, AuthErrc::Revoked);
}

TEST_F(AuthenticatorRulesTest, ARevokedSubjectIsRefusedUntilANewerTokenIsIssued) {
  const auto before = sign(claims());
  auth.revokeSubject("alice");
  EXPECT_EQ(auth.authenticator->authenticate(before).error().code, AuthErrc::Revoked);
  auth.wall.advanceMillis(1'000);
  EXPECT_TRUE(auth.authenticator->authenticate(sign(claims())));
}

}  // namespace
}  // namespace latch::auth
