#include "protocol/handshake.hpp"

#include <gtest/gtest.h>

namespace latch::protocol {
namespace {

TEST(Handshake, AcceptsJsonVersion1) {
  auto r = parseHandshakeRequest(R"({"protocol":"json","version":1})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->protocol, "json");
}

TEST(Handshake, RefusesMessagePackWithAClearError) {
  auto r = parseHandshakeRequest(R"({"protocol":"messagepack","version":1})");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ProtocolErrc::UnsupportedProtocol);
  EXPECT_EQ(r.error().message, "The protocol 'messagepack' is not supported.");
}

TEST(Handshake, RefusesVersion2UntilStatefulReconnectExists) {
  auto r = parseHandshakeRequest(R"({"protocol":"json","version":2})");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ProtocolErrc::UnsupportedVersion);
  EXPECT_NE(r.error().message.find("version 2"), std::string::npos);
}

TEST(Handshake, RefusesMalformedRequests) {
  EXPECT_FALSE(parseHandshakeRequest(""));
  EXPECT_FALSE(parseHandshakeRequest("not json"));
  EXPECT_FALSE(parseHandshakeRequest(R"({"version":1})"));
  EXPECT_FALSE(parseHandshakeRequest(R"({"protocol":"json"})"));
  EXPECT_FALSE(parseHandshakeRequest(R"({"protocol":"json","version":"1"})"));
  EXPECT_FALSE(parseHandshakeRequest(R"({"type":1,"target":"x","arguments":[]})"));
}

TEST(Handshake, DoesNotEchoUnprintableProtocolNames) {
  auto r = parseHandshakeRequest("{\"protocol\":\"a\\u0001b\",\"version\":1}");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message.find('\x01'), std::string::npos);
}

TEST(Handshake, ResponsesAreTerminatedJson) {
  EXPECT_EQ(handshakeResponse(std::nullopt), "{}\x1e");
  EXPECT_EQ(handshakeResponse("nope"), "{\"error\":\"nope\"}\x1e");
}

}  // namespace
}  // namespace latch::protocol
