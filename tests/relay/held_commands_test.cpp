#include "relay/held_commands.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace latch::relay {
namespace {

using Queue = HeldCommands<std::string>;

// Two distinct caller identities; only their addresses matter.
const auto* const kAlice = reinterpret_cast<const hub::HubConnection*>(0x1000);
const auto* const kBob = reinterpret_cast<const hub::HubConnection*>(0x2000);

std::vector<std::string> names(const std::vector<Queue::Held>& held) {
  std::vector<std::string> out;
  for (const auto& h : held) out.push_back(h.command);
  return out;
}

TEST(HeldCommandsTest, HandsADevicesCommandsOutOnceInArrivalOrder) {
  Queue q(8, 100);
  EXPECT_EQ(q.hold("h_d1", "d1", {100, kAlice, "first"}), Queue::Admission::Held);
  EXPECT_EQ(q.hold("h_d2", "d2", {100, kAlice, "other device"}), Queue::Admission::Held);
  EXPECT_EQ(q.hold("h_d1", "d1", {50, kBob, "second"}), Queue::Admission::Held);
  EXPECT_EQ(q.size(), 3u);
  EXPECT_EQ(names(q.takeForDevice("d1")), (std::vector<std::string>{"first", "second"}));
  EXPECT_TRUE(q.takeForDevice("d1").empty());
  EXPECT_EQ(q.size(), 1u);
}

TEST(HeldCommandsTest, CapsPerDeviceAndInAll) {
  Queue q(2, 3);
  EXPECT_EQ(q.hold("h_d1", "d1", {100, kAlice, "a"}), Queue::Admission::Held);
  EXPECT_EQ(q.hold("h_d1", "d1", {100, kAlice, "b"}), Queue::Admission::Held);
  EXPECT_EQ(q.hold("h_d1", "d1", {100, kAlice, "c"}), Queue::Admission::DeviceFull);
  EXPECT_EQ(q.hold("h_d2", "d2", {100, kAlice, "d"}), Queue::Admission::Held);
  EXPECT_EQ(q.hold("h_d3", "d3", {100, kAlice, "e"}), Queue::Admission::AllFull);
  EXPECT_EQ(q.size(), 3u);
  // Room again once a device's commands are taken.
  (void)q.takeForDevice("d1");
  EXPECT_EQ(q.hold("h_d3", "d3", {100, kAlice, "e"}), Queue::Admission::Held);
}

// One home's devices fill at most the home's share; other homes still get theirs, and the
// share comes back as commands are taken (delivered, expired or dropped).
TEST(HeldCommandsTest, EachHomeHasItsOwnShare) {
  Queue q(10, 100, 3);
  EXPECT_EQ(q.hold("greedy", "g1", {100, kAlice, "a"}), Queue::Admission::Held);
  EXPECT_EQ(q.hold("greedy", "g2", {100, kAlice, "b"}), Queue::Admission::Held);
  EXPECT_EQ(q.hold("greedy", "g3", {200, kAlice, "c"}), Queue::Admission::Held);
  EXPECT_EQ(q.hold("greedy", "g4", {100, kAlice, "d"}), Queue::Admission::HomeFull);
  EXPECT_EQ(q.hold("other", "o1", {100, kBob, "e"}), Queue::Admission::Held);
  (void)q.takeForDevice("g1");
  EXPECT_EQ(q.hold("greedy", "g4", {100, kAlice, "d"}), Queue::Admission::Held);
  (void)q.takeExpired(100);  // g2, g4 and o1's
  EXPECT_EQ(q.size(), 1u);
  EXPECT_EQ(q.hold("greedy", "g5", {300, kAlice, "f"}), Queue::Admission::Held);
  EXPECT_EQ(q.hold("greedy", "g6", {300, kAlice, "g"}), Queue::Admission::Held);
  EXPECT_EQ(q.hold("greedy", "g7", {300, kAlice, "h"}), Queue::Admission::HomeFull);
}

TEST(HeldCommandsTest, ZeroPerDeviceHoldsNothing) {
  Queue q(0, 100);
  EXPECT_EQ(q.hold("h_d1", "d1", {100, kAlice, "a"}), Queue::Admission::DeviceFull);
  EXPECT_EQ(q.size(), 0u);
}

TEST(HeldCommandsTest, TakesWhatExpiredAtOrBeforeNowAndLeavesTheRest) {
  Queue q(8, 100);
  (void)q.hold("h_d1", "d1", {300, kAlice, "late"});
  (void)q.hold("h_d1", "d1", {100, kAlice, "early"});
  (void)q.hold("h_d2", "d2", {200, kAlice, "middle"});
  EXPECT_TRUE(q.takeExpired(99).empty());
  EXPECT_EQ(names(q.takeExpired(100)), (std::vector<std::string>{"early"}));
  EXPECT_TRUE(q.takeExpired(199).empty());
  EXPECT_EQ(names(q.takeExpired(250)), (std::vector<std::string>{"middle"}));
  EXPECT_EQ(names(q.takeForDevice("d1")), (std::vector<std::string>{"late"}));
  EXPECT_TRUE(q.takeExpired(1'000).empty());
  EXPECT_EQ(q.size(), 0u);
}

TEST(HeldCommandsTest, ExpirySweepStillFindsCommandsAfterADeviceWasTaken) {
  Queue q(8, 100);
  (void)q.hold("h_d1", "d1", {100, kAlice, "taken"});
  (void)q.hold("h_d2", "d2", {200, kAlice, "left"});
  (void)q.takeForDevice("d1");
  EXPECT_EQ(names(q.takeExpired(200)), (std::vector<std::string>{"left"}));
}

TEST(HeldCommandsTest, TakesEverythingOneCallerSent) {
  Queue q(8, 100);
  (void)q.hold("h_d1", "d1", {100, kAlice, "a1"});
  (void)q.hold("h_d1", "d1", {100, kBob, "b1"});
  (void)q.hold("h_d2", "d2", {100, kAlice, "a2"});
  auto alices = names(q.takeFromCaller(kAlice));
  std::sort(alices.begin(), alices.end());  // across devices the order is not kept
  EXPECT_EQ(alices, (std::vector<std::string>{"a1", "a2"}));
  EXPECT_EQ(names(q.takeAll()), (std::vector<std::string>{"b1"}));
  EXPECT_EQ(q.size(), 0u);
}

}  // namespace
}  // namespace latch::relay
