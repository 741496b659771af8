#include "relay/access_view.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

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

// The store's own change log, holding each read until the test lets it through.
class GatedLog final : public store::ChangeLog {
 public:
  explicit GatedLog(store::ChangeLog& inner) : inner_(inner) {}
  store::StoreResult<store::AccessSnapshot> loadAccess() override { return inner_.loadAccess(); }
  store::StoreResult<std::vector<store::StoreChange>> changesSince(std::uint64_t after,
                                                                   std::size_t limit) override {
    std::unique_lock lock(mu_);
    ++reads_;
    changed_.notify_all();
    changed_.wait(lock, [this] { return open_; });
    return inner_.changesSince(after, limit);
  }
  store::StoreResult<std::int64_t> pruneChanges(std::int64_t before) override {
    return inner_.pruneChanges(before);
  }
  store::StoreResult<void> checkpoint() override { return inner_.checkpoint(); }

  void waitForReads(int n) {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return reads_ >= n; });
  }
  void open() {
    std::lock_guard lock(mu_);
    open_ = true;
    changed_.notify_all();
  }
  int reads() {
    std::lock_guard lock(mu_);
    return reads_;
  }

 private:
  store::ChangeLog& inner_;
  std::mutex mu_;
  std::condition_variable changed_;
  int reads_ = 0;
  bool open_ = false;
};

TEST_F(AccessViewTest, CatchUpsArrivingDuringAReadShareTheNextOne) {
  auto seq = view.load();
  ASSERT_TRUE(seq);
  GatedLog gated(reader);
  store::SqliteChangeFeed shared(gated, clock);
  shared.bind(view, *seq);
  std::thread first([&] { shared.catchUp(); });
  gated.waitForReads(1);
  // Written after the first read began: the waiting callers must each see it.
  const auto home = writer.createHome("Home", "alice", 0)->id;
  constexpr int kWaiting = 16;
  std::atomic<int> saw{0};
  std::vector<std::thread> waiting;
  for (int i = 0; i < kWaiting; ++i) {
    waiting.emplace_back([&] {
      shared.catchUp();
      if (view.roleIn(home, "alice")) ++saw;
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // let them queue
  gated.open();
  first.join();
  for (auto& t : waiting) t.join();
  EXPECT_EQ(saw.load(), kWaiting);
  // Without sharing: 1 + 16. A thread slower to queue than 100 ms may read on its own.
  EXPECT_LE(gated.reads(), 4);
}

}  // namespace
}  // namespace latch::relay
