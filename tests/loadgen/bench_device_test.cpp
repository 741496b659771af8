#include "loadgen/bench_device.hpp"

#include <gtest/gtest.h>

#include <optional>

#include <boost/json/serialize.hpp>

#include "client/envelope.hpp"

namespace latch::loadgen {
namespace {

namespace json = boost::json;

auth::SessionKeyBytes keyOf(std::uint8_t fill) {
  auth::SessionKeyBytes key;
  key.fill(fill);
  return key;
}

json::array execute(const auth::SessionKeyBytes& key, std::string_view device = "d_bench",
                    std::string_view command = "BENCH") {
  json::object msg{
      {"home", "h_1"}, {"device", device}, {"command", command}, {"args", json::array{}}};
  return json::array{client::signMessage(key, "Execute", msg, client::wallClockMillis(),
                                         std::chrono::seconds(10))};
}

// The answer one Execute gets.
json::value answerOf(BenchDevice& device, const json::array& arguments) {
  std::optional<json::value> answer;
  device.answer(arguments, [&](client::ClientResult<json::value> result) {
    ASSERT_TRUE(result);
    answer = *result;
  });
  EXPECT_TRUE(answer.has_value());
  return answer.value_or(json::value());
}

std::string statusOf(const json::value& answer) {
  const auto* status = answer.is_object() ? answer.as_object().if_contains("status") : nullptr;
  return status && status->is_string() ? std::string(status->get_string()) : "";
}

TEST(BenchDeviceTest, RunsAVerifiedBenchCommandOnceAndCountsIt) {
  BenchDevice device("d_bench", keyOf(1));
  const auto wire = execute(keyOf(1));
  const auto first = answerOf(device, wire);
  EXPECT_EQ(json::serialize(first), R"({"status":"ok","output":null})");
  EXPECT_EQ(device.executed(), 1u);
  // The same envelope again (a replay, a reconnect race): refused, not counted as run.
  EXPECT_EQ(statusOf(answerOf(device, wire)), "failed");
  EXPECT_EQ(device.executed(), 1u);
  EXPECT_EQ(device.refused(), 1u);
  EXPECT_FALSE(device.firstRefusal().empty());
}

TEST(BenchDeviceTest, RefusesWhatTheAgentWouldRefuse) {
  BenchDevice device("d_bench", keyOf(1));
  EXPECT_EQ(statusOf(answerOf(device, execute(keyOf(2)))), "failed");               // other key
  EXPECT_EQ(statusOf(answerOf(device, execute(keyOf(1), "d_other"))), "failed");    // not ours
  EXPECT_EQ(statusOf(answerOf(device, execute(keyOf(1), "d_bench", "OPEN_DOOR"))),  // no handler
            "failed");
  EXPECT_EQ(statusOf(answerOf(device, json::array{})), "failed");  // no envelope
  EXPECT_EQ(statusOf(answerOf(device, json::array{"not an envelope"})), "failed");
  EXPECT_EQ(device.executed(), 0u);
  EXPECT_EQ(device.refused(), 5u);
  const auto answer = answerOf(device, execute(keyOf(2)));
  EXPECT_TRUE(answer.as_object().at("output").is_string());
}

}  // namespace
}  // namespace latch::loadgen
