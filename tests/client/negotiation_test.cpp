#include "client/detail/negotiation.hpp"

#include <gtest/gtest.h>

namespace latch::client::detail {
namespace {

TEST(NegotiationTest, VersionOneUsesTheConnectionTokenAndListsTextTransports) {
  auto n = parseNegotiation(
      R"({"connectionId":"id","connectionToken":"tok","negotiateVersion":1,"availableTransports":[)"
      R"({"transport":"WebSockets","transferFormats":["Text","Binary"]},)"
      R"({"transport":"ServerSentEvents","transferFormats":["Text"]},)"
      R"({"transport":"LongPolling","transferFormats":["Binary"]}]})");
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(n->connectionToken, "tok");
  EXPECT_TRUE(n->offers("WebSockets"));
  EXPECT_TRUE(n->offers("ServerSentEvents"));
  EXPECT_FALSE(n->offers("LongPolling"));  // no Text format
}

TEST(NegotiationTest, VersionZeroUsesTheConnectionId) {
  auto n = parseNegotiation(
      R"({"connectionId":"id0","availableTransports":[{"transport":"LongPolling","transferFormats":["Text"]}]})");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->connectionToken, "id0");
}

TEST(NegotiationTest, AnErrorIsRefusedWithTheServersTextAndGarbageIsAProtocolError) {
  auto refused = parseNegotiation(R"({"error":"Unauthorized: expired"})");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ClientErrc::Refused);
  EXPECT_NE(refused.error().message.find("expired"), std::string::npos);
  for (const char* bad : {"", "[]", "{", R"({"connectionToken":"t","negotiateVersion":1})",
                          R"({"negotiateVersion":1,"availableTransports":[]})",
                          R"({"url":"https://elsewhere","accessToken":"x"})"}) {
    auto n = parseNegotiation(bad);
    ASSERT_FALSE(n) << bad;
    EXPECT_EQ(n.error().code, ClientErrc::Protocol) << bad;
  }
}

}  // namespace
}  // namespace latch::client::detail
