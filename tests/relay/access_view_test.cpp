#include "relay/access_view.hpp"

#include <thread>

#include <gtest/gtest.h>

#include "store/sqlite_change_feed.hpp"
#include "store/sqlite_store.hpp"
#include "support/store_test.hpp"

namespace latch::relay {
namespace {

class AccessViewTest : public testing::StoreTest {
 protected:
  AccessViewTest() : reader(open()), writer(open()) {}

  // Loads the view from what the store holds now and points the feed just past it.
  void loadAndBind() {
    auto seq = view.load();
    ASSERT_TRUE(seq);
    feed.bind(view, *seq);
  }

  struct Fixed final : WallClock {
    std::int64_t nowMillis() const override { return 1'764'405'600'000; }
  } clock;
  store::SqliteStore reader;  // the server's connection
  store::SqliteStore writer;  // the CLI's, as another process
  AccessView view{reader, reader, reader};
  store::SqliteChangeFeed feed{reader, clock};
};

TEST_F(AccessViewTest, LoadsMembersAndDevicesAndAnswersWithoutTheStore) {
  const auto home = writer.createHome("Home", "alice", 0)->id;
  ASSERT_TRUE(writer.setMember(home, "carol", store::MemberRole::Member, 0));
  const auto door = writer.addDevice(home, "door", {"OPEN", "LOCK"}, {"OPEN"}, {}, 0)->id;
  ASSERT_TRUE(view.load());
  EXPECT_EQ(view.roleIn(home, "alice"), store::MemberRole::Owner);
  EXPECT_EQ(view.roleIn(home, "carol"), store::MemberRole::Member);
  EXPECT_EQ(view.roleIn(home, "mallory"), std::nullopt);
  EXPECT_EQ(view.roleIn("h_nope", "alice"), std::nullopt);
  const auto device = view.device(door);
  ASSERT_TRUE(device);
  EXPECT_EQ(device->homeId, home);
  EXPECT_EQ(device->commands, (std::vector<std::string>{"OPEN", "LOCK"}));
  EXPECT_EQ(device->ownerOnly, (std::vector<std::string>{"OPEN"}));
  EXPECT_FALSE(view.device("d_nope"));
  EXPECT_EQ(view.membershipsOf("carol").size(), 1u);
  EXPECT_EQ(view.membersOf(home).size(), 2u);
  EXPECT_EQ(view.devicesOf(home).size(), 1u);
}

TEST_F(AccessViewTest, TheFeedCarriesEveryKindOfChangeFromAnotherConnection) {
  const auto home = writer.createHome("Home", "alice", 0)->id;
  loadAndBind();

  const auto other = writer.createHome("Other", "bob", 0)->id;
  ASSERT_TRUE(writer.setMember(home, "carol", store::MemberRole::Member, 0));
  const auto door = writer.addDevice(home, "door", {"OPEN"}, {}, {}, 0)->id;
  EXPECT_EQ(view.roleIn(other, "bob"), std::nullopt);  // not yet read
  EXPECT_EQ(*feed.pollOnce(), 3u);
  EXPECT_EQ(view.roleIn(other, "bob"), store::MemberRole::Owner);
  EXPECT_EQ(view.roleIn(home, "carol"), store::MemberRole::Member);
  ASSERT_TRUE(view.device(door));
  EXPECT_FALSE(view.device(door)->revoked);

  ASSERT_TRUE(writer.setMember(home, "carol", store::MemberRole::Owner, 0));
  ASSERT_TRUE(writer.revokeDevice(door, 0));
  EXPECT_EQ(*feed.pollOnce(), 2u);
  EXPECT_EQ(view.roleIn(home, "carol"), store::MemberRole::Owner);
  EXPECT_TRUE(view.device(door)->revoked);
  EXPECT_EQ(view.devicesOf(home).size(), 1u);
  EXPECT_EQ(view.membershipsOf("carol").size(), 1u);
  EXPECT_EQ(*feed.pollOnce(), 0u);
}

// A reader that missed pruned changes cannot know what they said: it reloads everything.
TEST_F(AccessViewTest, AGapInTheLogMakesTheViewReloadEverything) {
  const auto home = writer.createHome("Home", "alice", 0)->id;
  loadAndBind();
  ASSERT_TRUE(writer.setMember(home, "carol", store::MemberRole::Member, 10));
  ASSERT_TRUE(writer.setMember(home, "dave", store::MemberRole::Member, 20));
  // The changes from before 20 s are pruned: carol's is gone.
  ASSERT_EQ(*writer.pruneChanges(20), 2);
  ASSERT_EQ(*feed.pollOnce(), 1u);
  EXPECT_EQ(view.roleIn(home, "carol"), store::MemberRole::Member);
  EXPECT_EQ(view.roleIn(home, "dave"), store::MemberRole::Member);
}

TEST_F(AccessViewTest, TheFeedThreadDeliversWithinItsInterval) {
  auto seq = view.load();
  ASSERT_TRUE(seq);
  store::SqliteChangeFeed fast(reader, clock, {.interval = std::chrono::milliseconds(20)});
  ASSERT_TRUE(fast.start(view, *seq));
  const auto home = writer.createHome("Home", "alice", 0)->id;
  for (int i = 0; i < 250 && !view.roleIn(home, "alice"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(view.roleIn(home, "alice"), store::MemberRole::Owner);
  fast.stop();
}

}  // namespace
}  // namespace latch::relay
