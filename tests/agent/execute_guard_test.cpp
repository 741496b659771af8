#include "agent/execute_guard.hpp"

#include <gtest/gtest.h>

#include "client/envelope.hpp"

namespace latch::agent {
namespace {

constexpr std::int64_t kNow = 1'800'000'000'000;

auth::SessionKeyBytes keyOf(std::uint8_t fill) {
  auth::SessionKeyBytes key;
  key.fill(fill);
  return key;
}

boost::json::value execute(const auth::SessionKeyBytes& key, std::string_view device = "d_me",
                           std::string_view command = "OPEN_DOOR", std::int64_t now = kNow) {
  boost::json::object msg{{"home", "h_1"},
                          {"device", device},
                          {"command", command},
                          {"args", boost::json::array{"x", 2}}};
  return client::signMessage(key, "Execute", msg, now, std::chrono::seconds(10));
}

class ExecuteGuardTest : public ::testing::Test {
 protected:
  ExecuteGuard guard_{"d_me", {{"OPEN_DOOR", "/bin/true"}}, 100};
};

TEST_F(ExecuteGuardTest, AdmitsAVerifiedCommandForThisDeviceOnce) {
  guard_.addSessionKey(keyOf(1));
  const auto wire = execute(keyOf(1));
  auto admitted = guard_.admit(wire, kNow + 1);
  ASSERT_TRUE(admitted) << admitted.error().message;
  EXPECT_EQ(admitted->command, "OPEN_DOOR");
  EXPECT_EQ(admitted->handler, "/bin/true");
  EXPECT_EQ(admitted->args.size(), 2u);
  auto again = guard_.admit(wire, kNow + 2);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, RefusalErrc::Replayed);
}

// "Once" across the agent's own restarts: its seen-set starts empty, but a restarted agent
// holds only the session key of its new token (each token has its own), so an Execute sent
// to the agent before its restart fails verification after it.
TEST(ExecuteGuardRestartTest, ARestartedAgentRefusesWhatItsPreviousRunAccepted) {
  const auto wire = execute(keyOf(1));
  {
    ExecuteGuard before{"d_me", {{"OPEN_DOOR", "/bin/true"}}, 100};
    before.addSessionKey(keyOf(1));
    ASSERT_TRUE(before.admit(wire, kNow + 1));
  }
  ExecuteGuard after{"d_me", {{"OPEN_DOOR", "/bin/true"}}, 100};
  after.addSessionKey(keyOf(2));
  auto again = after.admit(wire, kNow + 2);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, RefusalErrc::Invalid);
}

// The agent checks arguments itself, whatever the server let through: its own rule for the
// command, else the default policy. A refusal does not use up the nonce.
TEST(ExecuteGuardArgumentsTest, ArgumentsOutsideTheRuleOrThePolicyAreRefused) {
  ExecuteGuard guard{"d_me",
                     {{"OPEN_DOOR", "/bin/true"}, {"SET", "/bin/true"}},
                     100,
                     {},
                     {{"SET", "one-of:on|off"}}};
  guard.addSessionKey(keyOf(1));
  const auto withArgs = [](std::string_view command, boost::json::array args) {
    boost::json::object msg{
        {"home", "h_1"}, {"device", "d_me"}, {"command", command}, {"args", std::move(args)}};
    return client::signMessage(keyOf(1), "Execute", msg, kNow, std::chrono::seconds(10));
  };
  auto bad = guard.admit(withArgs("SET", {"dim"}), kNow + 1);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, RefusalErrc::BadArguments);
  auto newline = guard.admit(withArgs("OPEN_DOOR", {"a\nb"}), kNow + 1);
  ASSERT_FALSE(newline);
  EXPECT_EQ(newline.error().code, RefusalErrc::BadArguments);
  auto good = guard.admit(withArgs("SET", {"on"}), kNow + 1);
  ASSERT_TRUE(good);
  EXPECT_EQ(good->argv, std::vector<std::string>{"on"});
}

TEST_F(ExecuteGuardTest, ThePreviousKeyStaysValidAfterARefreshButNotTheOneBefore) {
  guard_.addSessionKey(keyOf(1));
  guard_.addSessionKey(keyOf(2));
  EXPECT_TRUE(guard_.admit(execute(keyOf(1)), kNow + 1));
  EXPECT_TRUE(guard_.admit(execute(keyOf(2)), kNow + 1));
  guard_.addSessionKey(keyOf(3));
  auto old = guard_.admit(execute(keyOf(1)), kNow + 1);
  ASSERT_FALSE(old);
  EXPECT_EQ(old.error().code, RefusalErrc::Invalid);
}

TEST_F(ExecuteGuardTest, RefusesExpiredForeignUnhandledAndMisSignedCommandsWithoutRememberingThem) {
  guard_.addSessionKey(keyOf(1));
  auto expired = guard_.admit(execute(keyOf(1)), kNow + 10'000);
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().code, RefusalErrc::Expired);
  auto foreign = guard_.admit(execute(keyOf(1), "d_other"), kNow + 1);
  ASSERT_FALSE(foreign);
  EXPECT_EQ(foreign.error().code, RefusalErrc::WrongDevice);
  auto unhandled = guard_.admit(execute(keyOf(1), "d_me", "LOCK_DOOR"), kNow + 1);
  ASSERT_FALSE(unhandled);
  EXPECT_EQ(unhandled.error().code, RefusalErrc::NoHandler);
  auto forged = guard_.admit(execute(keyOf(9)), kNow + 1);
  ASSERT_FALSE(forged);
  EXPECT_EQ(forged.error().code, RefusalErrc::Invalid);
  auto sendCommand = client::signMessage(
      keyOf(1), "SendCommand",
      boost::json::object{{"home", "h"}, {"device", "d_me"}, {"command", "OPEN_DOOR"}}, kNow);
  EXPECT_FALSE(guard_.admit(sendCommand, kNow + 1));
  EXPECT_FALSE(guard_.admit(boost::json::value("garbage"), kNow));
}

TEST(ExecuteGuardCapacityTest, AFullSeenSetRefusesNewCommandsUntilOldOnesExpire) {
  ExecuteGuard guard("d_me", {{"OPEN_DOOR", "/bin/true"}}, 1);
  guard.addSessionKey(keyOf(1));
  EXPECT_TRUE(guard.admit(execute(keyOf(1)), kNow + 1));
  auto full = guard.admit(execute(keyOf(1)), kNow + 1);
  ASSERT_FALSE(full);
  EXPECT_EQ(full.error().code, RefusalErrc::Full);
  EXPECT_TRUE(guard.admit(execute(keyOf(1), "d_me", "OPEN_DOOR", kNow + 10'000), kNow + 10'001));
}

}  // namespace
}  // namespace latch::agent
