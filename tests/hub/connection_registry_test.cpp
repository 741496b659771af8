#include "hub/connection_registry.hpp"

#include <set>

#include <gtest/gtest.h>

#include "hub/hub.hpp"
#include "support/fake_clock.hpp"

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

}  // namespace
}  // namespace latch::hub
