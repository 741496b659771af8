#include <gtest/gtest.h>

#include "store/home_store.hpp"
#include "store/migrations.hpp"
#include "store/sqlite_db.hpp"
#include "store/sqlite_store.hpp"
#include "support/store_test.hpp"

namespace latch::store {
namespace {

constexpr std::int64_t kNow = 1'764'405'600;

class HomeStoreTest : public testing::StoreTest {};

TEST(MemberRoleTest, NamesRoundTripAndUnknownNamesAreRefused) {
  EXPECT_EQ(memberRoleName(MemberRole::Owner), "owner");
  EXPECT_EQ(memberRoleName(MemberRole::Member), "member");
  EXPECT_EQ(parseMemberRole("owner"), MemberRole::Owner);
  EXPECT_EQ(parseMemberRole("member"), MemberRole::Member);
  EXPECT_EQ(parseMemberRole("Owner"), std::nullopt);
  EXPECT_EQ(parseMemberRole("admin"), std::nullopt);
}

TEST_F(HomeStoreTest, ANewHomeHasAFreshIdAndItsCreatorAsOwner) {
  auto store = open();
  auto home = store.createHome("Beach house", "alice", kNow);
  ASSERT_TRUE(home) << home.error().message;
  EXPECT_EQ(home->name, "Beach house");
  EXPECT_EQ(home->owner, "alice");
  EXPECT_EQ(home->createdAt, kNow);
  EXPECT_EQ(home->id.size(), 24u);
  EXPECT_EQ(home->id.substr(0, 2), "h_");
  EXPECT_EQ(store.roleIn(home->id, "alice").value(), MemberRole::Owner);

  auto found = store.findHome(home->id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->name, "Beach house");
  EXPECT_NE(store.createHome("Other", "alice", kNow)->id, home->id);
}

TEST_F(HomeStoreTest, AnOwnerCannotHaveTwoHomesOfTheSameName) {
  auto store = open();
  ASSERT_TRUE(store.createHome("Home", "alice", kNow));
  auto again = store.createHome("Home", "alice", kNow);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, StoreErrc::Conflict);
  EXPECT_NE(again.error().message.find("already has a home named 'Home'"), std::string::npos);
  EXPECT_TRUE(store.createHome("Home", "bob", kNow)) << "names are unique per owner only";
  EXPECT_EQ(store.listHomes()->size(), 2u);
}

TEST_F(HomeStoreTest, BadHomeNamesAndOwnersAreRefused) {
  auto store = open();
  for (const std::string& name :
       {std::string(), std::string(65, 'x'), std::string("tab\there"), std::string(" lead"),
        std::string("bad \xff utf8"), std::string("nul\0x", 5)}) {
    auto r = store.createHome(name, "alice", kNow);
    ASSERT_FALSE(r) << name;
    EXPECT_EQ(r.error().code, StoreErrc::Invalid) << name;
  }
  EXPECT_TRUE(store.createHome(std::string(64, 'x'), "alice", kNow));
  EXPECT_TRUE(store.createHome("Maison de l'\xc3\xa9t\xc3\xa9", "alice", kNow));
  EXPECT_EQ(store.createHome("Home", "", kNow).error().code, StoreErrc::Invalid);
  EXPECT_EQ(store.createHome("Home", "with space", kNow).error().code, StoreErrc::Invalid);
}

TEST_F(HomeStoreTest, HomesAreListedInCreationOrder) {
  auto store = open();
  const auto a = store.createHome("Zeta", "alice", kNow).value();
  const auto b = store.createHome("Alpha", "bob", kNow).value();
  auto homes = store.listHomes();
  ASSERT_TRUE(homes);
  ASSERT_EQ(homes->size(), 2u);
  EXPECT_EQ((*homes)[0].id, a.id);
  EXPECT_EQ((*homes)[1].id, b.id);
  EXPECT_EQ((*homes)[1].owner, "bob");
}

TEST_F(HomeStoreTest, FindingAnUnknownHomeIsNotFound) {
  auto store = open();
  auto r = store.findHome("h_nope");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, StoreErrc::NotFound);
  EXPECT_EQ(r.error().message, "unknown home h_nope");
}

TEST_F(HomeStoreTest, AddingAMemberToAnUnknownHomeIsNotFound) {
  auto store = open();
  auto r = store.setMember("h_nope", "bob", MemberRole::Member, kNow);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, StoreErrc::NotFound);
  EXPECT_TRUE(store.membershipsOf("bob")->empty());
}

TEST_F(HomeStoreTest, MembersAreAddedAndTheirRoleChanged) {
  auto store = open();
  const auto home = store.createHome("Home", "alice", kNow).value();
  ASSERT_TRUE(store.setMember(home.id, "bob", MemberRole::Member, kNow));
  EXPECT_EQ(store.roleIn(home.id, "bob").value(), MemberRole::Member);
  ASSERT_TRUE(store.setMember(home.id, "bob", MemberRole::Owner, kNow));
  EXPECT_EQ(store.roleIn(home.id, "bob").value(), MemberRole::Owner);
  EXPECT_EQ(store.setMember(home.id, "", MemberRole::Member, kNow).error().code,
            StoreErrc::Invalid);
}

TEST_F(HomeStoreTest, NonMembersAndUnknownHomesHaveNoRole) {
  auto store = open();
  const auto home = store.createHome("Home", "alice", kNow).value();
  const auto other = store.createHome("Other", "mallory", kNow).value();
  auto stranger = store.roleIn(home.id, "mallory");
  ASSERT_TRUE(stranger);
  EXPECT_EQ(*stranger, std::nullopt);
  EXPECT_EQ(store.roleIn(other.id, "alice").value(), std::nullopt);
  EXPECT_EQ(store.roleIn("h_unknown", "alice").value(), std::nullopt);
  EXPECT_EQ(store.roleIn(home.id, "ALICE").value(), std::nullopt) << "subjects are exact";
}

TEST_F(HomeStoreTest, MembershipsOfListEveryHomeOfASubjectWithItsRole) {
  auto store = open();
  const auto mine = store.createHome("Mine", "alice", kNow).value();
  const auto theirs = store.createHome("Theirs", "bob", kNow + 1).value();
  (void)store.createHome("Unrelated", "carol", kNow + 2).value();
  ASSERT_TRUE(store.setMember(theirs.id, "alice", MemberRole::Member, kNow + 3));
  auto memberships = store.membershipsOf("alice");
  ASSERT_TRUE(memberships);
  ASSERT_EQ(memberships->size(), 2u);
  EXPECT_EQ((*memberships)[0].homeId, mine.id);
  EXPECT_EQ((*memberships)[0].role, MemberRole::Owner);
  EXPECT_EQ((*memberships)[1].homeId, theirs.id);
  EXPECT_EQ((*memberships)[1].role, MemberRole::Member);
  EXPECT_EQ((*memberships)[1].subject, "alice");
  EXPECT_TRUE(store.membershipsOf("nobody")->empty());
}

TEST_F(HomeStoreTest, MembersOfListEveryMemberOfAHomeWithTheirRole) {
  auto store = open();
  const auto home = store.createHome("Home", "alice", kNow).value();
  const auto other = store.createHome("Other", "mallory", kNow).value();
  ASSERT_TRUE(store.setMember(home.id, "bob", MemberRole::Member, kNow + 1));
  ASSERT_TRUE(store.setMember(other.id, "carol", MemberRole::Member, kNow + 1));
  auto members = store.membersOf(home.id);
  ASSERT_TRUE(members);
  ASSERT_EQ(members->size(), 2u);
  EXPECT_EQ((*members)[0].subject, "alice");
  EXPECT_EQ((*members)[0].role, MemberRole::Owner);
  EXPECT_EQ((*members)[1].subject, "bob");
  EXPECT_EQ((*members)[1].role, MemberRole::Member);
  EXPECT_EQ((*members)[1].homeId, home.id);
  EXPECT_TRUE(store.membersOf("h_unknown")->empty());
}

TEST_F(HomeStoreTest, HomesSurviveReopeningAndAreSeenByAnotherConnection) {
  std::string id;
  {
    auto store = open();
    id = store.createHome("Home", "alice", kNow)->id;
  }
  auto reader = open();
  EXPECT_EQ(reader.findHome(id)->name, "Home");
  auto writer = open();
  ASSERT_TRUE(writer.setMember(id, "bob", MemberRole::Member, kNow));
  EXPECT_EQ(reader.roleIn(id, "bob").value(), MemberRole::Member);
}

TEST_F(HomeStoreTest, ASchemaOneDatabaseIsUpgradedKeepingItsRevocations) {
  {
    auto store = open();
    ASSERT_TRUE(store.revokeSubject("alice", kNow, kNow));
  }
  {
    // Back to what a Latch with only migration 1 left behind.
    auto db = SqliteDb::open(dir.file("latch.db"));
    ASSERT_TRUE(db);
    ASSERT_TRUE(
        db->exec("PRAGMA foreign_keys = OFF; DROP TABLE device_commands; "
                 "DROP TABLE devices; DROP TABLE memberships; DROP TABLE homes; "
                 "DROP TABLE audit; DROP TABLE audit_head; DROP TABLE changes; "
                 "PRAGMA user_version = 1"));
  }
  auto store = open();
  EXPECT_EQ(store.loadRevocations(kNow)->subjectEpochs.size(), 1u);
  EXPECT_TRUE(store.createHome("Home", "alice", kNow));
}

}  // namespace
}  // namespace latch::store
