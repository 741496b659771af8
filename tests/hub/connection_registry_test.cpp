#include "hub/connection_registry.hpp"

#include <set>

#include <gtest/gtest.h>

#include "hub/hub.hpp"
#include "support/fake_clock.hpp"
#include "support/fake_link.hpp"

namespace latch::hub {
namespace {

TEST(ConnectionRegistry, IdsAndTokensAreDistinct128BitValues) {
  Limits limits;
  testing::FakeClock clock;
  Hub hub;
  ConnectionRegistry registry(limits, hub, clock);
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    auto c = registry.create();
    EXPECT_EQ(c->id().size(), 22u);  // 16 bytes, base64url
    EXPECT_EQ(c->token().size(), 22u);
    EXPECT_NE(c->id(), c->token());
    EXPECT_TRUE(seen.insert(c->id()).second);
    EXPECT_TRUE(seen.insert(c->token()).second);
    EXPECT_EQ(registry.find(c->token()), c);
    EXPECT_EQ(registry.find(c->id()), nullptr);  // the id never opens the connection
  }
}

TEST(ConnectionRegistry, Version0UsesTheIdAsToken) {
  Limits limits;
  testing::FakeClock clock;
  Hub hub;
  ConnectionRegistry registry(limits, hub, clock);
  auto c = registry.create(true);
  EXPECT_EQ(c->id(), c->token());
}

TEST(ConnectionRegistry, RefusesBeyondMaxConnections) {
  Limits limits;
  limits.maxConnections = 3;
  testing::FakeClock clock;
  Hub hub;
  ConnectionRegistry registry(limits, hub, clock);
  std::vector<std::shared_ptr<HubConnection>> keep;
  for (int i = 0; i < 3; ++i) keep.push_back(registry.create());
  EXPECT_EQ(registry.create(), nullptr);
  keep[0]->abort("test");
  EXPECT_NE(registry.create(), nullptr);
}

std::shared_ptr<const auth::Principal> as(const std::string& sub, const std::string& role) {
  return std::make_shared<const auth::Principal>(auth::Principal{sub, {role}, "jti-" + sub});
}

class RegistryLimits : public ::testing::Test {
 protected:
  ConnectionRegistry::Admission admit(const std::string& sub, const std::string& role = "user",
                                      const std::string& address = "192.0.2.1",
                                      bool unattached = false) {
    auto a = registry.admit(false, as(sub, role), address, unattached);
    if (a.connection) keep.push_back(a.connection);
    return a;
  }
  using Refusal = ConnectionRegistry::Refusal;
  Limits limits;
  testing::FakeClock clock;
  Hub hub;
  ConnectionRegistry registry{limits, hub, clock};
  std::vector<std::shared_ptr<HubConnection>> keep;
};

// One user's negotiates used to take every slot; now users fill at most nine tenths, and the
// rest is for devices: a home hub can always get back on.
TEST_F(RegistryLimits, UsersCannotTakeTheTenthKeptForDevices) {
  limits.maxConnections = 20;
  for (int i = 0; i < 18; ++i) {
    ASSERT_TRUE(
        admit("u" + std::to_string(i), "user", "198.51.100." + std::to_string(i)).connection);
  }
  EXPECT_EQ(admit("late-user").refusal, Refusal::Full);
  EXPECT_TRUE(admit("d_hub", "device").connection);
  EXPECT_TRUE(admit("d_hub2", "device").connection);
  EXPECT_EQ(admit("d_hub3", "device").refusal, Refusal::Full);
}

TEST_F(RegistryLimits, OneSubjectHoldsAtMostItsShareAndGetsItBackOnClose) {
  limits.maxConnectionsPerSubject = 3;
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(admit("alice").connection);
  EXPECT_EQ(admit("alice").refusal, Refusal::SubjectFull);
  EXPECT_TRUE(admit("bob").connection);  // others are not affected
  keep[0]->abort("test");
  EXPECT_TRUE(admit("alice").connection);
}

TEST_F(RegistryLimits, OneAddressHoldsAtMostItsShare) {
  limits.maxConnectionsPerAddress = 2;
  ASSERT_TRUE(admit("a", "user", "203.0.113.9").connection);
  ASSERT_TRUE(admit("b", "user", "203.0.113.9").connection);
  EXPECT_EQ(admit("c", "user", "203.0.113.9").refusal, Refusal::AddressFull);
  EXPECT_TRUE(admit("c", "user", "203.0.113.10").connection);
}

// Negotiated connections no transport claims have their own, smaller budget; a transport
// attaching gives the place back, and so does the negotiate timeout.
TEST_F(RegistryLimits, UnattachedConnectionsHaveTheirOwnBudgetAndTimeout) {
  limits.maxUnattachedConnections = 2;
  auto first = admit("a", "user", "192.0.2.1", true);
  auto second = admit("b", "user", "192.0.2.2", true);
  ASSERT_TRUE(first.connection && second.connection);
  EXPECT_EQ(admit("c", "user", "192.0.2.3", true).refusal, Refusal::Unattached);
  EXPECT_TRUE(admit("c", "user", "192.0.2.3", false).connection);  // an attached one is fine
  auto link = std::make_shared<testing::FakeLink>();
  link->bind(first.connection);
  ASSERT_EQ(first.connection->attach(link), HubConnection::Attach::Attached);
  EXPECT_EQ(registry.unattached(), 1u);
  EXPECT_TRUE(admit("d", "user", "192.0.2.4", true).connection);
  EXPECT_EQ(registry.unattached(), 2u);
  clock.advance(limits.negotiateTimeout + Millis(1));
  registry.tick(clock.now());
  EXPECT_EQ(registry.unattached(), 0u);
  EXPECT_TRUE(admit("e", "user", "192.0.2.5", true).connection);
}

}  // namespace
}  // namespace latch::hub
