#include "hub/method_binding.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include "common/limits.hpp"
#include "hub/connection_registry.hpp"
#include "support/fake_clock.hpp"
#include "support/fake_link.hpp"

namespace latch::hub {
namespace {

// A connected connection over a FakeLink, for calling hub methods through the protocol.
struct Harness {
  Harness() : registry(limits, hub, clock) {}

  void connect() {
    connection = registry.create();
    link = std::make_shared<testing::FakeLink>();
    link->bind(connection);
    ASSERT_EQ(connection->attach(link), HubConnection::Attach::Attached);
    connection->onReceive("{\"protocol\":\"json\",\"version\":1}\x1e");
    ASSERT_EQ(link->takeRecords(), std::vector<std::string>{"{}"});
  }

  // Sends an invocation with id "1" and returns the Completion's JSON.
  boost::json::object call(std::string_view target, std::string_view args) {
    connection->onReceive(std::string(R"({"type":1,"invocationId":"1","target":")") +
                          std::string(target) + R"(","arguments":)" + std::string(args) + "}\x1e");
    auto records = link->takeRecords();
    EXPECT_EQ(records.size(), 1u);
    return records.empty() ? boost::json::object{} : boost::json::parse(records[0]).as_object();
  }

  Limits limits;
  testing::FakeClock clock;
  Hub hub;
  ConnectionRegistry registry;
  std::shared_ptr<HubConnection> connection;
  std::shared_ptr<testing::FakeLink> link;
};

TEST(MethodBinding, BindsTypedArguments) {
  Harness h;
  addMethod(h.hub, "Concat",
            [](CallContext&, std::string a, std::int64_t b, bool c,
               double d) -> HubResult<boost::json::value> {
              return boost::json::value(a + std::to_string(b) + (c ? "T" : "F") +
                                        std::to_string(static_cast<int>(d * 10)));
            });
  h.connect();
  auto r = h.call("Concat", R"(["x",42,true,1.5])");
  EXPECT_EQ(r.at("result").as_string(), "x42T15");
}

TEST(MethodBinding, WrongArityIsACompletionError) {
  Harness h;
  addMethod(h.hub, "Two",
            [](CallContext&, std::int64_t, std::int64_t) -> HubResult<boost::json::value> {
              return nullptr;
            });
  h.connect();
  auto r = h.call("Two", "[1]");
  EXPECT_EQ(r.at("error").as_string(), "Invocation provides 1 argument(s) but target expects 2.");
  r = h.call("Two", "[1,2,3]");
  EXPECT_EQ(r.at("error").as_string(), "Invocation provides 3 argument(s) but target expects 2.");
}

TEST(MethodBinding, WrongTypeNamesTheArgument) {
  Harness h;
  bool ran = false;
  addMethod(h.hub, "Typed",
            [&](CallContext&, std::string, std::int64_t) -> HubResult<boost::json::value> {
              ran = true;
              return nullptr;
            });
  h.connect();
  auto r = h.call("Typed", R"(["ok","not a number"])");
  EXPECT_EQ(r.at("error").as_string(), "Argument 2 has the wrong type: expected a whole number.");
  r = h.call("Typed", R"([5,1])");
  EXPECT_EQ(r.at("error").as_string(), "Argument 1 has the wrong type: expected a string.");
  r = h.call("Typed", R"(["ok",1.5])");
  EXPECT_TRUE(r.contains("error"));
  EXPECT_FALSE(ran);
}

TEST(MethodBinding, MethodErrorsBecomeCompletionErrors) {
  Harness h;
  addMethod(h.hub, "Fail", [](CallContext&) -> HubResult<boost::json::value> {
    return makeError(HubErrc::MethodFailed, "nope");
  });
  h.connect();
  EXPECT_EQ(h.call("Fail", "[]").at("error").as_string(), "nope");
}

TEST(MethodBinding, AsyncMethodCompletesLater) {
  Harness h;
  std::optional<Completer> saved;
  addAsyncMethod(h.hub, "Later",
                 [&](CallContext&, std::string s, Completer done) { saved.emplace(done); });
  h.connect();
  h.connection->onReceive(
      "{\"type\":1,\"invocationId\":\"9\",\"target\":\"Later\",\"arguments\":[\"a\"]}\x1e");
  EXPECT_TRUE(h.link->takeRecords().empty());
  saved->result(boost::json::value("done"));
  saved->result(boost::json::value("twice"));  // ignored: one completion per invocation
  auto records = h.link->takeRecords();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0], R"({"type":3,"invocationId":"9","result":"done"})");
}

TEST(MethodBinding, AbandonedCompleterAnswersWithAnError) {
  Harness h;
  addAsyncMethod(h.hub, "Forget", [](CallContext&, Completer) {});
  h.connect();
  auto r = h.call("Forget", "[]");
  EXPECT_EQ(r.at("error").as_string(), "The method did not complete.");
}

}  // namespace
}  // namespace latch::hub
