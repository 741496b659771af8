#include "transport/long_polling_link.hpp"

#include <gtest/gtest.h>

#include "hub/connection_registry.hpp"
#include "hub/hub.hpp"
#include "support/fake_clock.hpp"

namespace latch::transport {
namespace {

struct Answer {
  int status = 0;
  std::string body;
  int calls = 0;
};

class LongPollingLinkTest : public ::testing::Test {
 protected:
  LongPollingLinkTest() : registry(limits, hub, clock) {
    connection = registry.create();
    link = std::make_shared<LongPollingLink>(connection, limits, clock);
    EXPECT_EQ(connection->attach(link), hub::HubConnection::Attach::Attached);
  }

  LongPollingLink::Responder into(Answer& a) {
    return [&a](int status, std::string body) {
      a.status = status;
      a.body = std::move(body);
      ++a.calls;
    };
  }

  Limits limits;
  testing::FakeClock clock;
  hub::Hub hub;
  hub::ConnectionRegistry registry;
  std::shared_ptr<hub::HubConnection> connection;
  std::shared_ptr<LongPollingLink> link;
};

TEST_F(LongPollingLinkTest, QueuedRecordsAnswerThePollAtOnce) {
  ASSERT_TRUE(link->send("a\x1e"));
  ASSERT_TRUE(link->send("b\x1e"));
  Answer a;
  link->poll(into(a));
  EXPECT_EQ(a.calls, 1);
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.body,
            "a\x1e"
            "b\x1e");
}

TEST_F(LongPollingLinkTest, AWaitingPollIsAnsweredBySend) {
  Answer a;
  link->poll(into(a));
  EXPECT_EQ(a.calls, 0);
  ASSERT_TRUE(link->send("x\x1e"));
  EXPECT_EQ(a.calls, 1);
  EXPECT_EQ(a.body, "x\x1e");
}

TEST_F(LongPollingLinkTest, PollTimesOutEmpty) {
  Answer a;
  link->poll(into(a));
  clock.advance(limits.longPollTimeout - Millis(1));
  link->tick(clock.now());
  EXPECT_EQ(a.calls, 0);
  clock.advance(Millis(1));
  link->tick(clock.now());
  EXPECT_EQ(a.calls, 1);
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.body, "");
}

TEST_F(LongPollingLinkTest, ANewPollReplacesTheOldWith204) {
  Answer first, second;
  link->poll(into(first));
  link->poll(into(second));
  EXPECT_EQ(first.calls, 1);
  EXPECT_EQ(first.status, 204);
  EXPECT_EQ(second.calls, 0);
  ASSERT_TRUE(link->send("y\x1e"));
  EXPECT_EQ(second.body, "y\x1e");
}

TEST_F(LongPollingLinkTest, CloseDeliversTheLastRecordsThenEnds) {
  ASSERT_TRUE(link->send("close\x1e"));
  link->close();
  EXPECT_NE(connection->state(), hub::HubConnection::State::Closed);  // not yet delivered
  EXPECT_FALSE(link->send("more\x1e"));
  Answer a;
  link->poll(into(a));
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.body, "close\x1e");
  EXPECT_EQ(connection->state(), hub::HubConnection::State::Closed);
  Answer b;
  link->poll(into(b));
  EXPECT_EQ(b.status, 204);
}

TEST_F(LongPollingLinkTest, AbortAnswersTheWaitingPollWith204) {
  Answer a;
  link->poll(into(a));
  link->abort();
  EXPECT_EQ(a.status, 204);
  EXPECT_EQ(connection->state(), hub::HubConnection::State::Closed);
  EXPECT_EQ(registry.size(), 0u);
}

TEST_F(LongPollingLinkTest, ClientThatStopsPollingIsDisconnected) {
  Answer a;
  link->poll(into(a));
  ASSERT_TRUE(link->send("x\x1e"));  // answers the poll; now nobody polls
  clock.advance(limits.disconnectTimeout + Millis(1));
  link->tick(clock.now());
  EXPECT_EQ(connection->state(), hub::HubConnection::State::Closed);
}

TEST_F(LongPollingLinkTest, BacklogIsBounded) {
  limits.maxBacklogBytes = 8;
  EXPECT_TRUE(link->send("12345\x1e"));
  EXPECT_FALSE(link->send("123\x1e"));
}

}  // namespace
}  // namespace latch::transport
