#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "auth/session_key.hpp"
#include "hub/builtin_methods.hpp"
#include "hub/connection_registry.hpp"
#include "hub/hub_connection.hpp"
#include "relay/relay.hpp"
#include "store/sqlite_change_feed.hpp"
#include "store/sqlite_store.hpp"
#include "support/fake_clock.hpp"
#include "support/fake_link.hpp"
#include "support/temp_dir.hpp"
#include "support/test_auth.hpp"

// The relay on a real hub, registry and SQLite store, with connections on fake links: homes
// A (owner alice, member carol; device doorA) and B (owner bob; device doorB).
namespace latch::relay {

// The real audit writer behind a gate a test can close: while closed, commits wait (as if
// the disk were slow) and admitting() says what the test wants.
class GatedAuditSink final : public store::AuditSink {
 public:
  explicit GatedAuditSink(store::AuditSink& inner) : inner_(inner) {}
  void record(store::AuditRecord record) override { inner_.record(std::move(record)); }
  void commit(store::AuditRecord record, std::shared_ptr<store::AuditCallback> then) override {
    if (!closed) return inner_.commit(std::move(record), std::move(then));
    held_.emplace_back(std::move(record), std::move(then));
  }
  bool admitting() const override { return admit && inner_.admitting(); }
  // Opens the gate and passes on what waited.
  void open() {
    closed = false;
    for (auto& [record, then] : held_) inner_.commit(std::move(record), std::move(then));
    held_.clear();
  }
  std::size_t held() const { return held_.size(); }

  bool closed = false;
  bool admit = true;

 private:
  store::AuditSink& inner_;
  std::vector<std::pair<store::AuditRecord, std::shared_ptr<store::AuditCallback>>> held_;
};

inline constexpr std::string_view kHandshake = "{\"protocol\":\"json\",\"version\":1}\x1e";

// A connected client: its connection, what it was sent, and its session key.
struct Client {
  std::shared_ptr<hub::HubConnection> connection;
  std::shared_ptr<testing::FakeLink> link;
  auth::SessionKeyBytes key;
  std::vector<std::string> afterHandshake;  // sent with the handshake answer, not yet read

  void receive(std::string_view json) { connection->onReceive(std::string(json) + "\x1e"); }
  // What was sent since the last call, parsed.
  std::vector<boost::json::value> records() {
    std::vector<boost::json::value> out;
    for (const auto& r : afterHandshake) out.push_back(boost::json::parse(r));
    afterHandshake.clear();
    for (const auto& r : link->takeRecords()) out.push_back(boost::json::parse(r));
    return out;
  }
};

// The real change feed, counting how often the relay asks it to catch up.
class CountingFeed final : public store::ChangeFeed {
 public:
  explicit CountingFeed(store::ChangeFeed& inner) : inner_(inner) {}
  store::StoreResult<void> start(store::ChangeListener& l, std::uint64_t cursor) override {
    return inner_.start(l, cursor);
  }
  void stop() override { inner_.stop(); }
  void catchUp() override {
    ++catchUps;
    inner_.catchUp();
  }
  std::atomic<int> catchUps{0};

 private:
  store::ChangeFeed& inner_;
};

class RelayTest : public ::testing::Test {
 protected:
  explicit RelayTest(RelayOptions options = {})
      : store(*store::SqliteStore::openInDataDir(dir.path().string())),
        writer(store),
        gate(writer),
        view(store, store, store),
        feed(store, auth.wall),
        counted(feed),
        relay(view, &counted, gate, nonces, auth.envelope, auth.wall, options) {
    relay.attach(hub);
    hub::registerBuiltinMethods(hub, *auth.authenticator,
                                [this](std::string_view s) { return relay.homesOf(s); });
    registry = std::make_unique<hub::ConnectionRegistry>(limits, hub, clock, &auth.wall);
    const auto now = auth.wall.nowSeconds();
    homeA = store.createHome("A", "alice", now)->id;
    homeB = store.createHome("B", "bob", now)->id;
    (void)store.setMember(homeA, "carol", store::MemberRole::Member, now);
    doorA = store
                .addDevice(homeA, "front", {"OPEN_DOOR", "LOCK_DOOR"}, {"OPEN_DOOR"},
                           store::PatHash{}, now)
                ->id;
    doorB = store.addDevice(homeB, "front", {"OPEN_DOOR"}, {}, store::PatHash{}, now)->id;
    feed.bind(view, *view.load());
  }

  // The relay's view catches up with what the test wrote to the store (the server's feed
  // does this on its own thread every 100 ms).
  void syncView() { EXPECT_TRUE(feed.pollOnce()); }

  Client connect(const std::string& sub, const std::string& role) {
    Client c;
    c.connection = registry->create(false, auth.principal(sub, {role}, 600));
    c.link = std::make_shared<testing::FakeLink>();
    c.link->bind(c.connection);
    EXPECT_EQ(c.connection->attach(c.link), hub::HubConnection::Attach::Attached);
    c.connection->onReceive(kHandshake);
    // A device may get its held commands right after the handshake answer.
    c.afterHandshake = c.link->takeRecords();
    EXPECT_FALSE(c.afterHandshake.empty());
    if (!c.afterHandshake.empty()) {
      EXPECT_EQ(c.afterHandshake.front(), "{}");
      c.afterHandshake.erase(c.afterHandshake.begin());
    }
    c.key = auth::sessionKeyBytes(auth.envelope, c.connection->principal()->tokenId);
    return c;
  }

  // A signed SendCommand invocation from `user` for `command` on `device` in `home`, with
  // "queue": true when `queue`.
  std::string command(const Client& user, const std::string& home, const std::string& device,
                      const std::string& name, std::int64_t lifetimeMs = 10'000,
                      const char* id = "1", bool queue = false) {
    using boost::json::array;
    using boost::json::object;
    auth::Envelope e;
    e.iat = auth.wall.nowMillis();
    e.exp = e.iat + lifetimeMs;
    e.nonce = auth::newNonce();
    object msg{{"home", home}, {"device", device}, {"command", name}, {"args", array{1}}};
    if (queue) msg["queue"] = true;
    e.msg = boost::json::serialize(msg);
    auth::signEnvelope(user.key, "SendCommand", e);
    return boost::json::serialize(object{{"type", 1},
                                         {"invocationId", id},
                                         {"target", "SendCommand"},
                                         {"arguments", array{auth::envelopeToJson(e)}}});
  }

  // The same with "queue": true: held while the device is offline.
  std::string queued(const Client& user, const std::string& home, const std::string& device,
                     const std::string& name, std::int64_t lifetimeMs = 10'000,
                     const char* id = "1") {
    return command(user, home, device, name, lifetimeMs, id, true);
  }

  // The outcome of the (single) Completion the user received, once its audit record is
  // committed (the relay sends it only then).
  boost::json::object outcome(Client& user) {
    writer.flush();
    auto records = user.records();
    EXPECT_EQ(records.size(), 1u);
    if (records.empty()) return {};
    return records[0].at("result").as_object();
  }

  std::vector<store::AuditRecord> audit() {
    writer.flush();
    return *store.listAudit(std::nullopt, 1000);
  }

  testing::TempDir dir;
  testing::TestAuth auth;
  testing::FakeClock clock;
  Limits limits;
  store::SqliteStore store;
  store::AuditWriter writer;
  GatedAuditSink gate;
  AccessView view;
  store::SqliteChangeFeed feed;
  CountingFeed counted;
  auth::NonceCache nonces{auth::NonceCacheOptions{4, 3, 1000}};
  hub::Hub hub;
  Relay relay;
  std::unique_ptr<hub::ConnectionRegistry> registry;
  std::string homeA, homeB, doorA, doorB;
};

}  // namespace latch::relay
