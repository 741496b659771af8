// Commands with "queue": true (SPEC section 5): held for an offline device until it connects
// or the envelope expires, after every check an unqueued command gets.
#include "relay/relay.hpp"

#include <map>
#include <string>

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "auth/envelope.hpp"
#include "relay/relay_fixture.hpp"

namespace latch::relay {
namespace {

using boost::json::object;
using boost::json::value;

class RelayQueueTest : public RelayTest {
 protected:
  using RelayTest::RelayTest;

  // Moves time on by `ms` and runs the server's periodic tick, as the server's timer does.
  void advance(std::int64_t ms) {
    auth.wall.advanceMillis(ms);
    clock.advance(Millis(ms));
    registry->tick(clock.now());
  }

  // The device's answer to one Execute record.
  // Answers an Execute, and waits for the command's audit record: its caller hears the
  // outcome once that is committed.
  void answer(Client& device, const value& execute, value output = "done") {
    device.receive(boost::json::serialize(
        object{{"type", 3},
               {"invocationId", execute.at("invocationId")},
               {"result", object{{"status", "ok"}, {"output", std::move(output)}}}}));
    writer.flush();
  }

  // The Execute envelope of one record, checked against the device's own key.
  auth::Envelope executeEnvelope(const Client& device, const value& execute) {
    EXPECT_EQ(execute.at("target"), "Execute");
    auto envelope = auth::parseEnvelope(execute.at("arguments").at(0));
    EXPECT_TRUE(envelope);
    if (!envelope) return {};
    EXPECT_TRUE(auth::verifyEnvelope(device.key, "Execute", *envelope, auth.wall.nowMillis()));
    return *envelope;
  }
};

TEST_F(RelayQueueTest, HeldCommandRunsOnceWhenTheDeviceConnectsBeforeItsExp) {
  auto alice = connect("alice", "user");
  const std::int64_t exp = auth.wall.nowMillis() + 10'000;
  alice.receive(queued(alice, homeA, doorA, "OPEN_DOOR"));
  EXPECT_TRUE(alice.records().empty());
  EXPECT_EQ(relay.heldCommands(), 1u);
  advance(3'000);
  EXPECT_TRUE(alice.records().empty());
  EXPECT_TRUE(audit().empty());

  auto device = connect(doorA, "device");
  auto sent = device.records();
  ASSERT_EQ(sent.size(), 1u);
  const auto envelope = executeEnvelope(device, sent[0]);
  EXPECT_LE(envelope.exp, exp);
  EXPECT_EQ(envelope.iat, auth.wall.nowMillis());  // signed when dispatched, not when sent
  EXPECT_EQ(boost::json::parse(envelope.msg), (object{{"home", homeA},
                                                      {"device", doorA},
                                                      {"command", "OPEN_DOOR"},
                                                      {"args", boost::json::array{1}}}));
  EXPECT_EQ(relay.heldCommands(), 0u);

  answer(device, sent[0], "opened");
  const auto result = outcome(alice);
  EXPECT_EQ(result.at("status"), "ok");
  EXPECT_EQ(result.at("output"), "opened");
  const auto records = audit();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].outcome, "ok");
  EXPECT_EQ(records[0].action, "OPEN_DOOR");

  // Connecting again, or time passing, runs it no second time.
  auto again = connect(doorA, "device");
  advance(10'000);
  EXPECT_TRUE(again.records().empty());
  EXPECT_TRUE(alice.records().empty());
  EXPECT_EQ(audit().size(), 1u);
}

TEST_F(RelayQueueTest, QueuedCommandToAnOnlineDeviceRunsAtOnce) {
  auto alice = connect("alice", "user");
  auto device = connect(doorA, "device");
  alice.receive(queued(alice, homeA, doorA, "LOCK_DOOR"));
  auto sent = device.records();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(relay.heldCommands(), 0u);
  answer(device, sent[0]);
  EXPECT_EQ(outcome(alice).at("status"), "ok");
}

TEST_F(RelayQueueTest, HeldCommandExpiresAtItsExpWhenTheDeviceNeverConnects) {
  auto alice = connect("alice", "user");
  alice.receive(queued(alice, homeA, doorA, "OPEN_DOOR", 2'000));
  advance(1'999);
  EXPECT_TRUE(alice.records().empty());
  advance(1);
  const auto result = outcome(alice);
  EXPECT_EQ(result.at("status"), "expired");
  EXPECT_EQ(result.at("output"), "The device did not connect before the command expired.");
  EXPECT_EQ(relay.heldCommands(), 0u);

  auto device = connect(doorA, "device");
  EXPECT_TRUE(device.records().empty());
  const auto records = audit();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].outcome, "expired");
  EXPECT_EQ(records[0].detail, "queue_expired");
}

TEST_F(RelayQueueTest, DeviceConnectingAfterTheExpRunsNothingEvenBeforeTheExpiryTick) {
  auto alice = connect("alice", "user");
  alice.receive(queued(alice, homeA, doorA, "OPEN_DOOR", 2'000));
  auth.wall.advanceMillis(2'000);  // no tick: the dispatch itself must refuse it
  auto device = connect(doorA, "device");
  EXPECT_TRUE(device.records().empty());
  EXPECT_EQ(outcome(alice).at("status"), "expired");
  const auto records = audit();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].detail, "expired_before_dispatch");
}

TEST_F(RelayQueueTest, HeldCommandsReachTheDeviceInArrivalOrder) {
  auto alice = connect("alice", "user");
  for (const char* id : {"1", "2", "3"}) {  // the test nonce cache allows 3 per subject
    alice.receive(queued(alice, homeA, doorA, "LOCK_DOOR", 10'000, id));
  }
  auto device = connect(doorA, "device");
  auto sent = device.records();
  ASSERT_EQ(sent.size(), 3u);
  // The k-th Execute answers k: the caller's invocation k+1 must get it.
  for (std::size_t k = 0; k < sent.size(); ++k) answer(device, sent[k], static_cast<int>(k));
  std::map<std::string, value> outputs;
  for (const auto& r : alice.records()) {
    outputs[std::string(r.at("invocationId").as_string())] = r.at("result").at("output");
  }
  EXPECT_EQ(outputs, (std::map<std::string, value>{{"1", 0}, {"2", 1}, {"3", 2}}));
}

TEST_F(RelayQueueTest, UnqueuedCommandToAnOfflineDeviceIsStillOfflineAndNeverRuns) {
  auto alice = connect("alice", "user");
  alice.receive(command(alice, homeA, doorA, "OPEN_DOOR", 10'000, "1"));
  EXPECT_EQ(outcome(alice).at("status"), "offline");
  alice.receive(queued(alice, homeA, doorA, "LOCK_DOOR", 10'000, "2"));
  EXPECT_TRUE(alice.records().empty());
  EXPECT_EQ(relay.heldCommands(), 1u);  // the queued one only
  auto device = connect(doorA, "device");
  auto sent = device.records();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(boost::json::parse(executeEnvelope(device, sent[0]).msg).at("command"), "LOCK_DOOR");
}

// Tenant isolation and policy come before the queue: nothing refused is ever held.
TEST_F(RelayQueueTest, QueuedCommandsFromStrangersOrAgainstPolicyAreDeniedAndNotHeld) {
  auto bob = connect("bob", "user");
  auto carol = connect("carol", "user");
  bob.receive(queued(bob, homeA, doorA, "OPEN_DOOR"));  // not a member of A
  EXPECT_EQ(outcome(bob).at("status"), "denied");
  bob.receive(queued(bob, homeB, doorA, "OPEN_DOOR", 10'000, "2"));  // A's device, B's home
  EXPECT_EQ(outcome(bob).at("status"), "denied");
  carol.receive(queued(carol, homeA, doorA, "OPEN_DOOR"));  // owner-only, carol a member
  EXPECT_EQ(outcome(carol).at("status"), "denied");
  carol.receive(queued(carol, homeA, doorA, "SELF_DESTRUCT", 10'000, "2"));  // not accepted
  EXPECT_EQ(outcome(carol).at("status"), "denied");
  EXPECT_EQ(relay.heldCommands(), 0u);

  auto device = connect(doorA, "device");
  EXPECT_TRUE(device.records().empty());
  const auto records = audit();
  ASSERT_EQ(records.size(), 4u);
  for (const auto& r : records) EXPECT_EQ(r.outcome, "denied");
}

TEST_F(RelayQueueTest, TamperedOrReplayedQueuedEnvelopesAreRefusedBeforeHolding) {
  auto alice = connect("alice", "user");
  auto tampered = queued(alice, homeA, doorA, "LOCK_DOOR");
  tampered.replace(tampered.find("LOCK_DOOR"), 9, "OPEN_DOOR");
  alice.receive(tampered);
  EXPECT_EQ(outcome(alice).at("status"), "invalid");
  const auto frame = queued(alice, homeA, doorA, "LOCK_DOOR", 10'000, "2");
  alice.receive(frame);
  EXPECT_TRUE(alice.records().empty());  // held
  auto replay = frame;
  replay.replace(replay.find("\"2\""), 3, "\"3\"");  // same envelope, another invocation
  alice.receive(replay);
  EXPECT_EQ(outcome(alice).at("status"), "replayed");
  EXPECT_EQ(relay.heldCommands(), 1u);
}

TEST_F(RelayQueueTest, CallerDisconnectingDropsItsHeldCommands) {
  auto alice = connect("alice", "user");
  auto carol = connect("carol", "user");
  alice.receive(queued(alice, homeA, doorA, "OPEN_DOOR"));
  carol.receive(queued(carol, homeA, doorA, "LOCK_DOOR"));
  alice.connection->abort("network gone");
  EXPECT_EQ(relay.heldCommands(), 1u);
  auto records = audit();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].actor, "alice");
  EXPECT_EQ(records[0].outcome, "offline");
  EXPECT_EQ(records[0].detail, "caller_disconnected");

  auto device = connect(doorA, "device");
  auto sent = device.records();
  ASSERT_EQ(sent.size(), 1u);  // carol's only
  EXPECT_EQ(boost::json::parse(executeEnvelope(device, sent[0]).msg).at("command"), "LOCK_DOOR");
}

RelayOptions smallQueues() {
  RelayOptions options;
  options.maxHeldPerDevice = 2;
  options.maxHeldCommands = 3;
  return options;
}

class RelayQueueCapTest : public RelayQueueTest {
 protected:
  RelayQueueCapTest() : RelayQueueTest(smallQueues()) {
    backA =
        store.addDevice(homeA, "back", {"LOCK_DOOR"}, {}, store::PatHash{}, auth.wall.nowSeconds())
            ->id;
    syncView();
  }
  std::string backA;
};

TEST_F(RelayQueueCapTest, BeyondTheCapsCommandsAreOfflineAndTheHeldOnesStillRun) {
  auto alice = connect("alice", "user");
  auto carol = connect("carol", "user");
  auto bob = connect("bob", "user");
  alice.receive(queued(alice, homeA, doorA, "LOCK_DOOR", 10'000, "1"));
  alice.receive(queued(alice, homeA, doorA, "LOCK_DOOR", 10'000, "2"));
  EXPECT_TRUE(alice.records().empty());
  carol.receive(queued(carol, homeA, doorA, "LOCK_DOOR"));  // doorA's third
  auto full = outcome(carol);
  EXPECT_EQ(full.at("status"), "offline");
  EXPECT_EQ(full.at("output"), "The device is offline and its queue of commands is full.");
  alice.receive(queued(alice, homeA, backA, "LOCK_DOOR", 10'000, "3"));  // third in all
  EXPECT_TRUE(alice.records().empty());
  bob.receive(queued(bob, homeB, doorB, "OPEN_DOOR"));  // fourth in all
  EXPECT_EQ(outcome(bob).at("status"), "offline");
  EXPECT_EQ(relay.heldCommands(), 3u);

  auto device = connect(doorA, "device");
  auto sent = device.records();
  ASSERT_EQ(sent.size(), 2u);
  for (const auto& execute : sent) answer(device, execute);
  auto results = alice.records();
  ASSERT_EQ(results.size(), 2u);
  for (const auto& r : results) EXPECT_EQ(r.at("result").at("status"), "ok");
  EXPECT_EQ(relay.heldCommands(), 1u);  // backA's, still waiting

  const auto records = audit();
  ASSERT_EQ(records.size(), 4u);
  std::map<std::string, int> details;
  for (const auto& r : records) ++details[r.outcome + "/" + r.detail];
  EXPECT_EQ(details, (std::map<std::string, int>{
                         {"offline/queue_full_device", 1}, {"offline/queue_full", 1}, {"ok/", 2}}));
}

// Refusals cost disk only up to a budget (issue 13, item 7): past it the caller's connection
// is closed, later refusals in the window are answered but not written, and one summary
// record says how many there were.
class RelayRefusalBudgetTest : public RelayQueueTest {
 protected:
  static RelayOptions budgetOf3() {
    RelayOptions o;
    o.refusals = RefusalBudgetOptions{3, 10'000, 100};
    return o;
  }
  RelayRefusalBudgetTest() : RelayQueueTest(budgetOf3()) {}
};

TEST_F(RelayRefusalBudgetTest, AStrangerPastTheBudgetIsClosedAndTheRestIsSummarised) {
  advance(0);
  auto bob = connect("bob", "user");
  for (int i = 0; i < 4; ++i) {
    bob.receive(command(bob, homeA, doorA, "LOCK_DOOR", 10'000, std::to_string(i).c_str()));
  }
  writer.flush();
  EXPECT_TRUE(bob.link->closed());
  auto records = audit();
  std::size_t denials = 0, closed = 0;
  for (const auto& r : records) {
    if (r.actor != "bob") continue;
    denials += r.outcome == "denied";
    closed += r.outcome == "closed" && r.detail == "refusal_budget_exceeded";
  }
  EXPECT_EQ(denials, 3u);
  EXPECT_EQ(closed, 1u);
  // Bob comes back within the window: answered, not written, closed again.
  auto again = connect("bob", "user");
  again.receive(command(again, homeA, doorA, "LOCK_DOOR", 10'000, "8"));
  again.receive(command(again, homeA, doorA, "LOCK_DOOR", 10'000, "9"));
  writer.flush();
  EXPECT_EQ(audit().size(), records.size());
  EXPECT_TRUE(again.link->closed());
  // Carol, a member, is not affected.
  auto carol = connect("carol", "user");
  auto device = connect(doorA, "device");
  carol.receive(command(carol, homeA, doorA, "LOCK_DOOR", 10'000, "1"));
  EXPECT_EQ(device.records().size(), 1u);
  // The window ends: one summary of what was not written.
  advance(10'000);
  const auto last = audit().back();
  EXPECT_EQ(last.actor, "bob");
  EXPECT_EQ(last.outcome, "suppressed");
  EXPECT_EQ(last.detail, "count=1 reason=past_refusal_budget");
}

}  // namespace
}  // namespace latch::relay
