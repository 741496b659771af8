#include "hub/hub_connection.hpp"

#include <thread>

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include "hub/builtin_methods.hpp"
#include "hub/connection_registry.hpp"
#include "hub/hub.hpp"
#include "hub/method_binding.hpp"
#include "support/fake_clock.hpp"
#include "support/fake_link.hpp"
#include "support/test_auth.hpp"

namespace latch::hub {
namespace {

constexpr std::string_view kHandshake = "{\"protocol\":\"json\",\"version\":1}\x1e";

class HubConnectionTest : public ::testing::Test {
 protected:
  HubConnectionTest() {
    registerBuiltinMethods(hub, *auth.authenticator);
    registerTestMethodsForTest(hub);
    hub.setRevocations(&auth.revocations);
    addMethod(
        hub, "AdminOnlyForTest",
        [](CallContext&) -> HubResult<boost::json::value> { return boost::json::value("ok"); },
        {"admin"});
  }

  // A connection with a transport attached; handshake not yet sent.
  void attach(std::size_t linkBytes = 1 << 20) {
    registry = std::make_unique<ConnectionRegistry>(limits, hub, clock, &auth.wall);
    connection = registry->create(false, auth.principal("alice", {"user"}, tokenLifetime));
    link = std::make_shared<testing::FakeLink>(linkBytes);
    link->bind(connection);
    ASSERT_EQ(connection->attach(link), HubConnection::Attach::Attached);
  }

  void connect(std::size_t linkBytes = 1 << 20) {
    attach(linkBytes);
    connection->onReceive(kHandshake);
    ASSERT_EQ(link->takeRecords(), std::vector<std::string>{"{}"});
    ASSERT_EQ(connection->state(), HubConnection::State::Connected);
  }

  void receive(std::string_view json) { connection->onReceive(std::string(json) + "\x1e"); }

  boost::json::object only() {
    auto records = link->takeRecords();
    EXPECT_EQ(records.size(), 1u);
    return records.empty() ? boost::json::object{} : boost::json::parse(records[0]).as_object();
  }

  Limits limits;
  testing::FakeClock clock;
  testing::TestAuth auth;
  std::int64_t tokenLifetime = 3600;
  Hub hub;
  std::unique_ptr<ConnectionRegistry> registry;
  std::shared_ptr<HubConnection> connection;
  std::shared_ptr<testing::FakeLink> link;
};

TEST_F(HubConnectionTest, HandshakeThenInvocationGetsCompletion) {
  connect();
  receive(R"({"type":1,"invocationId":"1","target":"Add","arguments":[2,3]})");
  EXPECT_EQ(only().at("result").as_int64(), 5);
}

TEST_F(HubConnectionTest, HandshakeAndMessagesInOneChunk) {
  attach();
  connection->onReceive(std::string(kHandshake) +
                        R"({"type":1,"invocationId":"a","target":"Echo","arguments":["x"]})"
                        "\x1e");
  auto records = link->takeRecords();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0], "{}");
  EXPECT_EQ(records[1], R"({"type":3,"invocationId":"a","result":"x"})");
}

TEST_F(HubConnectionTest, WhoamiNamesSubjectRolesExpiryConnectionAndTransport) {
  connect();
  receive(R"({"type":1,"invocationId":"1","target":"Whoami","arguments":[]})");
  auto r = only().at("result").as_object();
  EXPECT_EQ(r.at("sub").as_string(), "alice");
  EXPECT_EQ(r.at("roles").as_array(), boost::json::array{"user"});
  EXPECT_TRUE(r.at("homes").as_array().empty());
  EXPECT_EQ(r.at("expiresAt").as_int64(), auth.wall.nowSeconds() + tokenLifetime);
  EXPECT_EQ(r.at("connectionId").as_string(), connection->id());
  EXPECT_EQ(r.at("transport").as_string(), "WebSockets");
}

TEST_F(HubConnectionTest, MethodNeedingAnotherRoleIsRefused) {
  connect();
  receive(R"({"type":1,"invocationId":"1","target":"AdminOnlyForTest","arguments":[]})");
  EXPECT_EQ(only().at("error").as_string(), "Forbidden: 'AdminOnlyForTest' needs another role.");
  EXPECT_FALSE(link->closed());
}

TEST_F(HubConnectionTest, MethodWithTheRoleRuns) {
  registry = std::make_unique<ConnectionRegistry>(limits, hub, clock, &auth.wall);
  connection = registry->create(false, auth.principal("ops", {"admin"}));
  link = std::make_shared<testing::FakeLink>();
  link->bind(connection);
  ASSERT_EQ(connection->attach(link), HubConnection::Attach::Attached);
  connection->onReceive(kHandshake);
  (void)link->takeRecords();
  receive(R"({"type":1,"invocationId":"1","target":"AdminOnlyForTest","arguments":[]})");
  EXPECT_EQ(only().at("result").as_string(), "ok");
}

TEST_F(HubConnectionTest, ExpiredTokenClosesTheConnectionAllowingReconnect) {
  tokenLifetime = 10;
  connect();
  auth.wall.advanceMillis(9'999);
  connection->tick(clock.now());
  EXPECT_FALSE(link->closed());
  (void)link->takeRecords();  // TokenExpiring
  auth.wall.advanceMillis(1);
  connection->tick(clock.now());
  EXPECT_EQ(
      link->takeRecords(),
      std::vector<std::string>{R"({"type":7,"error":"Token expired","allowReconnect":true})"});
  EXPECT_TRUE(link->closed());
}

TEST_F(HubConnectionTest, TokenExpiringIsSentOnceAheadOfTheDeadline) {
  tokenLifetime = 3600;
  connect();
  auth.wall.advanceMillis((3600 - 61) * 1000);
  connection->tick(clock.now());
  EXPECT_TRUE(link->takeRecords().empty());
  auth.wall.advanceMillis(2000);
  connection->tick(clock.now());
  EXPECT_EQ(link->takeRecords(),
            std::vector<std::string>{R"({"type":1,"target":"TokenExpiring","arguments":[59]})"});
  connection->tick(clock.now());
  EXPECT_TRUE(link->takeRecords().empty());
}

TEST_F(HubConnectionTest, ShortTokensAreWarnedAQuarterOfTheirLifetimeAhead) {
  tokenLifetime = 8;
  connect();
  auth.wall.advanceMillis(5'900);
  connection->tick(clock.now());
  EXPECT_TRUE(link->takeRecords().empty());
  auth.wall.advanceMillis(200);  // 6.1 s of 8: inside the last quarter
  connection->tick(clock.now());
  EXPECT_EQ(link->takeRecords(),
            std::vector<std::string>{R"({"type":1,"target":"TokenExpiring","arguments":[2]})"});
}

TEST_F(HubConnectionTest, InvocationAfterExpiryIsRefusedEvenBeforeTheTick) {
  tokenLifetime = 10;
  connect();
  auth.wall.advanceMillis(10'000);
  receive(R"({"type":1,"invocationId":"1","target":"Echo","arguments":[1]})");
  auto records = link->takeRecords();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0], R"({"type":7,"error":"Token expired","allowReconnect":true})");
}

TEST_F(HubConnectionTest, RefreshTokenMovesTheDeadline) {
  tokenLifetime = 10;
  connect();
  auth.wall.advanceMillis(5'000);
  const std::string fresh = auth.token("alice", {"user"}, 60);
  receive(R"({"type":1,"invocationId":"1","target":"RefreshToken","arguments":[")" + fresh +
          R"("]})");
  EXPECT_EQ(only().at("result").at("expiresAt").as_int64(), auth.wall.nowSeconds() + 60);
  auth.wall.advanceMillis(30'000);  // past the first token's expiry
  connection->tick(clock.now());
  receive(R"({"type":1,"invocationId":"2","target":"Echo","arguments":[2]})");
  EXPECT_EQ(only().at("result").as_int64(), 2);
  EXPECT_FALSE(link->closed());
}

TEST_F(HubConnectionTest, RefreshWithAnotherSubjectOrABadTokenKeepsTheOldDeadline) {
  tokenLifetime = 10;
  connect();
  const std::string mallory = auth.token("mallory", {"user"}, 600);
  receive(R"({"type":1,"invocationId":"1","target":"RefreshToken","arguments":[")" + mallory +
          R"("]})");
  EXPECT_EQ(only().at("error").as_string(), "Token refused: it belongs to another subject.");
  const std::string expired = auth.token("alice", {"user"}, 1);
  auth.wall.advanceMillis(2'000);
  receive(R"({"type":1,"invocationId":"2","target":"RefreshToken","arguments":[")" + expired +
          R"("]})");
  EXPECT_EQ(only().at("error").as_string(), "Token refused: expired");
  receive(R"({"type":1,"invocationId":"3","target":"RefreshToken","arguments":["garbage"]})");
  EXPECT_EQ(only().at("error").as_string(), "Token refused: malformed");
  auth.wall.advanceMillis(8'000);
  connection->tick(clock.now());
  auto records = link->takeRecords();
  ASSERT_FALSE(records.empty());
  EXPECT_EQ(records.back(), R"({"type":7,"error":"Token expired","allowReconnect":true})");
}

TEST_F(HubConnectionTest, RevokedTokenClosesTheConnectionAtTheNextTickWithoutReconnect) {
  connect();
  connection->tick(clock.now());
  EXPECT_FALSE(link->closed());
  auth.revokeToken(connection->principal()->tokenId);
  connection->tick(clock.now());
  EXPECT_EQ(link->takeRecords(), std::vector<std::string>{R"({"type":7,"error":"Token revoked"})"});
  EXPECT_TRUE(link->closed());
}

TEST_F(HubConnectionTest, SubjectRevocationClosesTokensIssuedBeforeIt) {
  connect();
  auth.wall.advanceMillis(5'000);
  auth.revokeSubject("alice");
  receive(R"({"type":1,"invocationId":"1","target":"Echo","arguments":[1]})");
  EXPECT_EQ(link->takeRecords(), std::vector<std::string>{R"({"type":7,"error":"Token revoked"})"});
}

TEST_F(HubConnectionTest, RevokingAnotherTokenOrSubjectLeavesTheConnectionOpen) {
  connect();
  auth.revokeToken("some-other-jti");
  auth.revokeSubject("mallory");
  connection->tick(clock.now());
  receive(R"({"type":1,"invocationId":"1","target":"Echo","arguments":[1]})");
  EXPECT_EQ(only().at("result").as_int64(), 1);
  EXPECT_FALSE(link->closed());
}

TEST_F(HubConnectionTest, RefreshWithARevokedTokenFailsAndKeepsTheOldToken) {
  connect();
  const std::string revoked = auth.token("alice", {"user"}, 600);
  auth.revokeToken(auth.authenticator->authenticate(revoked)->tokenId);
  const auto before = connection->principal();
  receive(R"({"type":1,"invocationId":"1","target":"RefreshToken","arguments":[")" + revoked +
          R"("]})");
  EXPECT_EQ(only().at("error").as_string(), "Token refused: revoked");
  EXPECT_EQ(connection->principal(), before);
  EXPECT_FALSE(link->closed());
}

TEST_F(HubConnectionTest, RevokedConnectionCannotRescueItselfWithRefreshToken) {
  connect();
  auth.revokeSubject("alice");
  auth.wall.advanceMillis(1'000);  // a token issued after the epoch is not revoked
  const std::string fresh = auth.token("alice", {"user"}, 600);
  receive(R"({"type":1,"invocationId":"1","target":"RefreshToken","arguments":[")" + fresh +
          R"("]})");
  // The connection's own token was revoked: the invocation itself is refused first.
  EXPECT_EQ(link->takeRecords(), std::vector<std::string>{R"({"type":7,"error":"Token revoked"})"});
}

TEST_F(HubConnectionTest, UnsupportedProtocolGetsHandshakeErrorAndClose) {
  attach();
  connection->onReceive("{\"protocol\":\"messagepack\",\"version\":1}\x1e");
  auto r = only();
  EXPECT_EQ(r.at("error").as_string(), "The protocol 'messagepack' is not supported.");
  EXPECT_TRUE(link->closed());
  EXPECT_EQ(connection->state(), HubConnection::State::Closed);
  EXPECT_EQ(registry->size(), 0u);
}

TEST_F(HubConnectionTest, InvocationBeforeHandshakeIsRefused) {
  attach();
  receive(R"({"type":1,"invocationId":"1","target":"Add","arguments":[2,3]})");
  auto r = only();
  EXPECT_TRUE(r.contains("error"));
  EXPECT_FALSE(r.contains("result"));
  EXPECT_TRUE(link->closed());
}

TEST_F(HubConnectionTest, HandshakeTimeoutClosesWithAnError) {
  attach();
  clock.advance(limits.handshakeTimeout - Millis(1));
  connection->tick(clock.now());
  EXPECT_TRUE(link->takeRecords().empty());
  EXPECT_FALSE(link->closed());
  clock.advance(Millis(2));
  connection->tick(clock.now());
  EXPECT_EQ(only().at("error").as_string(), "Handshake was not received in time.");
  EXPECT_TRUE(link->closed());
}

TEST_F(HubConnectionTest, NegotiatedConnectionWithoutTransportIsForgotten) {
  registry = std::make_unique<ConnectionRegistry>(limits, hub, clock);
  auto c = registry->create();
  EXPECT_EQ(registry->size(), 1u);
  clock.advance(limits.negotiateTimeout);
  registry->tick(clock.now());
  EXPECT_EQ(registry->size(), 1u);
  clock.advance(Millis(1));
  registry->tick(clock.now());
  EXPECT_EQ(registry->size(), 0u);
  EXPECT_EQ(registry->find(c->token()), nullptr);
}

TEST_F(HubConnectionTest, SendsPingWhenIdleForTheKeepAliveInterval) {
  connect();
  clock.advance(limits.keepAliveInterval - Millis(1));
  receive(R"({"type":6})");  // client traffic does not count as server traffic
  connection->tick(clock.now());
  EXPECT_TRUE(link->takeRecords().empty());
  clock.advance(Millis(1));
  connection->tick(clock.now());
  EXPECT_EQ(link->takeRecords(), std::vector<std::string>{R"({"type":6})"});
}

TEST_F(HubConnectionTest, OtherTrafficPostponesThePing) {
  connect();
  clock.advance(limits.keepAliveInterval - Millis(10));
  receive(R"({"type":1,"invocationId":"1","target":"Echo","arguments":[1]})");
  (void)link->takeRecords();
  clock.advance(Millis(20));
  connection->tick(clock.now());
  EXPECT_TRUE(link->takeRecords().empty());
}

TEST_F(HubConnectionTest, ClientSilentPastTimeoutIsClosedWithAnError) {
  connect();
  for (int i = 0; i < 3; ++i) {
    clock.advance(limits.keepAliveInterval);
    connection->tick(clock.now());  // pings go out, nothing comes back
  }
  auto records = link->takeRecords();
  ASSERT_FALSE(records.empty());
  auto close = boost::json::parse(records.back()).as_object();
  EXPECT_EQ(close.at("type").as_int64(), 7);
  EXPECT_NE(close.at("error").as_string().find("timeout"), boost::json::string::npos);
  EXPECT_TRUE(link->closed());
}

TEST_F(HubConnectionTest, ClientPingsKeepTheConnectionAlive) {
  connect();
  for (int i = 0; i < 10; ++i) {
    clock.advance(limits.keepAliveInterval);
    receive(R"({"type":6})");
    connection->tick(clock.now());
  }
  EXPECT_FALSE(link->closed());
}

TEST_F(HubConnectionTest, ClientResultArrives) {
  connect();
  std::optional<HubResult<boost::json::value>> got;
  connection->invokeClient("Ask", boost::json::array{21}, Millis(1000),
                           [&](HubResult<boost::json::value> r) { got = std::move(r); });
  auto sent = only();
  EXPECT_EQ(sent.at("target").as_string(), "Ask");
  const std::string id(sent.at("invocationId").as_string());
  receive(R"({"type":3,"invocationId":")" + id + R"(","result":42})");
  ASSERT_TRUE(got && *got);
  EXPECT_EQ((*got)->as_int64(), 42);
}

TEST_F(HubConnectionTest, ClientResultErrorIsReported) {
  connect();
  std::optional<HubResult<boost::json::value>> got;
  connection->invokeClient("Ask", {}, Millis(1000),
                           [&](HubResult<boost::json::value> r) { got = std::move(r); });
  const std::string id(only().at("invocationId").as_string());
  receive(R"({"type":3,"invocationId":")" + id + R"(","error":"no handler"})");
  ASSERT_TRUE(got && !*got);
  EXPECT_EQ(got->error().code, HubErrc::ClientError);
  EXPECT_EQ(got->error().message, "no handler");
}

TEST_F(HubConnectionTest, ClientResultTimesOutAndALateAnswerIsIgnored) {
  connect();
  int calls = 0;
  std::optional<HubResult<boost::json::value>> got;
  connection->invokeClient("Ask", {}, Millis(500), [&](HubResult<boost::json::value> r) {
    ++calls;
    got = std::move(r);
  });
  const std::string id(only().at("invocationId").as_string());
  clock.advance(Millis(499));
  connection->tick(clock.now());
  EXPECT_EQ(calls, 0);
  clock.advance(Millis(2));
  connection->tick(clock.now());
  ASSERT_EQ(calls, 1);
  EXPECT_EQ(got->error().code, HubErrc::Timeout);
  receive(R"({"type":3,"invocationId":")" + id + R"(","result":1})");
  EXPECT_EQ(calls, 1);
  EXPECT_FALSE(link->closed());
}

TEST_F(HubConnectionTest, PendingClientResultsFailWhenTheConnectionCloses) {
  connect();
  std::optional<HubResult<boost::json::value>> got;
  connection->invokeClient("Ask", {}, Millis(5000),
                           [&](HubResult<boost::json::value> r) { got = std::move(r); });
  link->abort();
  ASSERT_TRUE(got && !*got);
  EXPECT_EQ(got->error().code, HubErrc::ConnectionClosed);
}

TEST_F(HubConnectionTest, UnknownMethodGetsAnErrorNonBlockingGetsNothing) {
  connect();
  receive(R"({"type":1,"invocationId":"1","target":"Nope","arguments":[]})");
  EXPECT_EQ(only().at("error").as_string(), "Unknown hub method 'Nope'");
  receive(R"({"type":1,"target":"Nope","arguments":[]})");
  EXPECT_TRUE(link->takeRecords().empty());
  EXPECT_FALSE(link->closed());
}

TEST_F(HubConnectionTest, NonBlockingInvocationRunsWithoutAnswer) {
  connect();
  receive(R"({"type":1,"target":"SendToCallerForTest","arguments":["Hi",1]})");
  auto records = link->takeRecords();
  ASSERT_EQ(records.size(), 1u);  // the server-to-client message, no Completion
  EXPECT_EQ(records[0], R"({"type":1,"target":"Hi","arguments":[1]})");
}

TEST_F(HubConnectionTest, StreamingIsRefusedClearly) {
  connect();
  receive(R"({"type":4,"invocationId":"1","target":"Echo","arguments":[1]})");
  EXPECT_EQ(only().at("error").as_string(), "Streaming is not supported by this server.");
  receive(R"({"type":1,"invocationId":"2","target":"Echo","arguments":[1],"streamIds":["s"]})");
  EXPECT_EQ(only().at("error").as_string(), "Streaming is not supported by this server.");
  receive(R"({"type":2,"invocationId":"s","item":1})");
  receive(R"({"type":5,"invocationId":"1"})");
  EXPECT_TRUE(link->takeRecords().empty());
  EXPECT_FALSE(link->closed());
}

TEST_F(HubConnectionTest, InvalidJsonClosesWithAnError) {
  connect();
  receive("{not json");
  auto close = only();
  EXPECT_EQ(close.at("type").as_int64(), 7);
  EXPECT_EQ(close.at("error").as_string(), "Message is not valid JSON.");
  EXPECT_TRUE(link->closed());
}

TEST_F(HubConnectionTest, UnknownMessageTypeClosesWithAnError) {
  connect();
  receive(R"({"type":42})");
  EXPECT_EQ(only().at("error").as_string(), "Unknown message type.");
  EXPECT_TRUE(link->closed());
}

TEST_F(HubConnectionTest, OversizedMessageClosesWithAnError) {
  limits.maxMessageBytes = 256;
  connect();
  connection->onReceive(std::string(300, 'x'));
  auto close = only();
  EXPECT_EQ(close.at("type").as_int64(), 7);
  EXPECT_NE(close.at("error").as_string().find("256 bytes"), boost::json::string::npos);
  EXPECT_TRUE(link->closed());
}

TEST_F(HubConnectionTest, ReusingAnInFlightInvocationIdIsAProtocolError) {
  connect();
  receive(
      R"({"type":1,"invocationId":"1","target":"InvokeCallerForTest","arguments":["Q",1,5000]})");
  (void)link->takeRecords();  // the server's invocation of Q
  receive(R"({"type":1,"invocationId":"1","target":"Echo","arguments":[1]})");
  auto records = link->takeRecords();
  ASSERT_FALSE(records.empty());
  EXPECT_EQ(boost::json::parse(records.back()).at("type").as_int64(), 7);
  EXPECT_TRUE(link->closed());
}

TEST_F(HubConnectionTest, ParallelInvocationsAreBounded) {
  limits.maxParallelInvocations = 2;
  connect();
  for (int i = 1; i <= 3; ++i) {
    receive(R"({"type":1,"invocationId":")" + std::to_string(i) +
            R"(","target":"InvokeCallerForTest","arguments":["Q",1,5000]})");
  }
  auto records = link->takeRecords();
  ASSERT_EQ(records.size(), 3u);  // two invocations of Q, one refusal
  EXPECT_EQ(records[2],
            R"({"type":3,"invocationId":"3","error":"Too many parallel invocations."})");
  // Once one finishes, there is room again.
  const std::string qid(boost::json::parse(records[0]).at("invocationId").as_string());
  receive(R"({"type":3,"invocationId":")" + qid + R"(","result":7})");
  EXPECT_EQ(only().at("result").as_int64(), 7);
  receive(R"({"type":1,"invocationId":"4","target":"Echo","arguments":[4]})");
  EXPECT_EQ(only().at("result").as_int64(), 4);
}

// A client that keeps to the limit sends its next invocation the moment it reads a
// Completion; the slot must be free by then, even when the method completes on another
// thread (the relay completes from the audit writer's).
TEST_F(HubConnectionTest, TheSlotIsFreeBeforeTheCompletionReachesTheClient) {
  limits.maxParallelInvocations = 1;
  std::optional<Completer> held;
  hub.add("HoldForTest", [&](CallContext&, boost::json::array&, Completer done) { held = done; },
          {"user"});
  connect();
  receive(R"({"type":1,"invocationId":"1","target":"HoldForTest","arguments":[]})");
  bool fed = false;
  link->onSent = [&](std::string_view records) {
    if (fed || records.find(R"("invocationId":"1")") == std::string_view::npos) return;
    fed = true;
    receive(R"({"type":1,"invocationId":"2","target":"Echo","arguments":[2]})");
  };
  ASSERT_TRUE(held);
  std::thread([&] { held->result(boost::json::value(1)); }).join();
  auto records = link->takeRecords();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(boost::json::parse(records[0]).at("result").as_int64(), 1);
  EXPECT_EQ(records[1], R"({"type":3,"invocationId":"2","result":2})");
}

TEST_F(HubConnectionTest, SlowConsumerIsAbortedWhenTheBacklogOverflows) {
  connect(4096);
  receive(R"({"type":1,"invocationId":"1","target":"FloodForTest","arguments":["M",100,100]})");
  EXPECT_TRUE(link->aborted());
  EXPECT_EQ(connection->state(), HubConnection::State::Closed);
}

TEST_F(HubConnectionTest, ClientCloseEndsTheConnectionWithoutAnswer) {
  connect();
  receive(R"({"type":7})");
  EXPECT_TRUE(link->takeRecords().empty());
  EXPECT_TRUE(link->closed());
  EXPECT_EQ(registry->size(), 0u);
}

TEST_F(HubConnectionTest, ServerCloseSendsCloseMessage) {
  connect();
  connection->close("Token expired", true);
  EXPECT_EQ(
      link->takeRecords(),
      std::vector<std::string>{R"({"type":7,"error":"Token expired","allowReconnect":true})"});
  EXPECT_TRUE(link->closed());
  EXPECT_FALSE(connection->send("{\"type\":6}\x1e"));
}

TEST_F(HubConnectionTest, UnknownCompletionIsIgnored) {
  connect();
  receive(R"({"type":3,"invocationId":"999","result":1})");
  EXPECT_TRUE(link->takeRecords().empty());
  EXPECT_FALSE(link->closed());
}

TEST_F(HubConnectionTest, SecondTransportCannotAttach) {
  connect();
  auto other = std::make_shared<testing::FakeLink>();
  EXPECT_EQ(connection->attach(other), HubConnection::Attach::AlreadyAttached);
}

}  // namespace
}  // namespace latch::hub
