#include "protocol/negotiate.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace latch::protocol {
namespace {

TEST(Negotiate, ChoosesVersion) {
  EXPECT_EQ(*chooseNegotiateVersion(std::nullopt), 0);
  EXPECT_EQ(*chooseNegotiateVersion("0"), 0);
  EXPECT_EQ(*chooseNegotiateVersion("1"), 1);
  EXPECT_EQ(*chooseNegotiateVersion("7"), 1);  // newer clients get our newest
}

TEST(Negotiate, RefusesNonNumericVersions) {
  EXPECT_FALSE(chooseNegotiateVersion(""));
  EXPECT_FALSE(chooseNegotiateVersion("abc"));
  EXPECT_FALSE(chooseNegotiateVersion("-1"));
  EXPECT_FALSE(chooseNegotiateVersion("1x"));
  EXPECT_FALSE(chooseNegotiateVersion("99999999999999999999"));
}

TEST(Negotiate, Version1ResponseHasTokenAndAllTransports) {
  auto doc = boost::json::parse(negotiateResponse(1, "the-id", "the-token")).as_object();
  EXPECT_EQ(doc.at("connectionId").as_string(), "the-id");
  EXPECT_EQ(doc.at("connectionToken").as_string(), "the-token");
  EXPECT_EQ(doc.at("negotiateVersion").as_int64(), 1);
  const auto& transports = doc.at("availableTransports").as_array();
  ASSERT_EQ(transports.size(), 3u);
  EXPECT_EQ(transports[0].at("transport").as_string(), "WebSockets");
  EXPECT_EQ(transports[1].at("transport").as_string(), "ServerSentEvents");
  EXPECT_EQ(transports[2].at("transport").as_string(), "LongPolling");
  EXPECT_FALSE(doc.contains("useStatefulReconnect"));
}

TEST(Negotiate, Version0ResponseHasNoToken) {
  auto doc = boost::json::parse(negotiateResponse(0, "the-id", "ignored")).as_object();
  EXPECT_EQ(doc.at("connectionId").as_string(), "the-id");
  EXPECT_FALSE(doc.contains("connectionToken"));
  EXPECT_EQ(doc.at("negotiateVersion").as_int64(), 0);
}

TEST(Negotiate, ErrorResponse) {
  auto doc = boost::json::parse(negotiateError("no")).as_object();
  EXPECT_EQ(doc.at("error").as_string(), "no");
}

}  // namespace
}  // namespace latch::protocol
