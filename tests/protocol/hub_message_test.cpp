#include "protocol/hub_message.hpp"

#include <gtest/gtest.h>

namespace latch::protocol {
namespace {

template <class T>
T parseAs(std::string_view text) {
  auto r = parseHubMessage(text);
  EXPECT_TRUE(r) << text << ": " << (r ? "" : r.error().message);
  if (!r) return T{};
  EXPECT_TRUE(std::holds_alternative<T>(*r)) << text;
  return std::holds_alternative<T>(*r) ? std::get<T>(std::move(*r)) : T{};
}

ProtocolErrc errorOf(std::string_view text) {
  auto r = parseHubMessage(text);
  EXPECT_FALSE(r) << text;
  return r ? ProtocolErrc::InvalidValue : r.error().code;
}

TEST(HubMessage, ParsesInvocationWithId) {
  auto m = parseAs<InvocationMessage>(
      R"({"type":1,"invocationId":"123","target":"Send","arguments":[42,"Test Message"]})");
  ASSERT_TRUE(m.invocationId);
  EXPECT_EQ(*m.invocationId, "123");
  EXPECT_EQ(m.target, "Send");
  ASSERT_EQ(m.arguments.size(), 2u);
  EXPECT_EQ(m.arguments[0].as_int64(), 42);
  EXPECT_EQ(m.arguments[1].as_string(), "Test Message");
  EXPECT_FALSE(m.stream);
}

TEST(HubMessage, ParsesNonBlockingInvocation) {
  auto m = parseAs<InvocationMessage>(R"({"type":1,"target":"Send","arguments":[]})");
  EXPECT_FALSE(m.invocationId);
}

TEST(HubMessage, ParsesStreamInvocationAndStreamIds) {
  auto m = parseAs<InvocationMessage>(
      R"({"type":4,"invocationId":"1","target":"S","arguments":[],"streamIds":["a"]})");
  EXPECT_TRUE(m.stream);
  EXPECT_EQ(m.streamIds, std::vector<std::string>{"a"});
}

TEST(HubMessage, IgnoresHeadersAndUnknownProperties) {
  auto m = parseAs<InvocationMessage>(
      R"({"type":1,"headers":{"Foo":"Bar"},"target":"T","arguments":[],"extra":true})");
  EXPECT_EQ(m.target, "T");
}

TEST(HubMessage, ParsesCompletionVariants) {
  auto r = parseAs<CompletionMessage>(R"({"type":3,"invocationId":"1","result":42})");
  ASSERT_TRUE(r.result);
  EXPECT_EQ(r.result->as_int64(), 42);
  auto e = parseAs<CompletionMessage>(R"({"type":3,"invocationId":"1","error":"It didn't work!"})");
  EXPECT_EQ(*e.error, "It didn't work!");
  auto v = parseAs<CompletionMessage>(R"({"type":3,"invocationId":"1"})");
  EXPECT_FALSE(v.result);
  EXPECT_FALSE(v.error);
}

TEST(HubMessage, CompletionWithResultAndErrorIsAProtocolError) {
  EXPECT_EQ(errorOf(R"({"type":3,"invocationId":"1","result":42,"error":"x"})"),
            ProtocolErrc::InvalidValue);
}

TEST(HubMessage, ParsesOtherMessageTypes) {
  EXPECT_EQ(parseAs<StreamItemMessage>(R"({"type":2,"invocationId":"1","item":7})").item.as_int64(),
            7);
  EXPECT_EQ(parseAs<CancelInvocationMessage>(R"({"type":5,"invocationId":"9"})").invocationId, "9");
  parseAs<PingMessage>(R"({"type":6})");
  auto c = parseAs<CloseMessage>(R"({"type":7,"error":"bye","allowReconnect":true})");
  EXPECT_EQ(*c.error, "bye");
  EXPECT_TRUE(c.allowReconnect);
  EXPECT_FALSE(parseAs<CloseMessage>(R"({"type":7})").error);
  EXPECT_EQ(parseAs<AckMessage>(R"({"type":8,"sequenceId":1394})").sequenceId, 1394);
  EXPECT_EQ(parseAs<SequenceMessage>(R"({"type":9,"sequenceId":5})").sequenceId, 5);
}

TEST(HubMessage, RefusesInvalidJson) {
  EXPECT_EQ(errorOf(""), ProtocolErrc::InvalidJson);
  EXPECT_EQ(errorOf("{"), ProtocolErrc::InvalidJson);
  EXPECT_EQ(errorOf(R"({"type":1,})"), ProtocolErrc::InvalidJson);
  EXPECT_EQ(errorOf("{\"type\":6} trailing"), ProtocolErrc::InvalidJson);
}

TEST(HubMessage, RefusesInvalidUtf8) {
  EXPECT_EQ(errorOf("{\"type\":1,\"target\":\"\xff\xfe\",\"arguments\":[]}"),
            ProtocolErrc::InvalidJson);
  EXPECT_EQ(errorOf("{\"type\":1,\"target\":\"\xc0\xaf\",\"arguments\":[]}"),
            ProtocolErrc::InvalidJson);
}

TEST(HubMessage, RefusesNonObjects) {
  EXPECT_EQ(errorOf("[1,2]"), ProtocolErrc::NotAnObject);
  EXPECT_EQ(errorOf("42"), ProtocolErrc::NotAnObject);
}

TEST(HubMessage, RefusesMissingOrMistypedType) {
  EXPECT_EQ(errorOf(R"({"target":"x"})"), ProtocolErrc::MissingField);
  EXPECT_EQ(errorOf(R"({"type":"1"})"), ProtocolErrc::WrongFieldType);
  EXPECT_EQ(errorOf(R"({"type":1.5})"), ProtocolErrc::WrongFieldType);
  EXPECT_EQ(errorOf(R"({"type":99})"), ProtocolErrc::UnknownMessageType);
  EXPECT_EQ(errorOf(R"({"type":0})"), ProtocolErrc::UnknownMessageType);
  EXPECT_EQ(errorOf(R"({"type":-1})"), ProtocolErrc::UnknownMessageType);
}

TEST(HubMessage, RefusesInvocationsWithBadFields) {
  EXPECT_EQ(errorOf(R"({"type":1,"arguments":[]})"), ProtocolErrc::MissingField);
  EXPECT_EQ(errorOf(R"({"type":1,"target":5,"arguments":[]})"), ProtocolErrc::WrongFieldType);
  EXPECT_EQ(errorOf(R"({"type":1,"target":"","arguments":[]})"), ProtocolErrc::InvalidValue);
  EXPECT_EQ(errorOf(R"({"type":1,"target":"T"})"), ProtocolErrc::MissingField);
  EXPECT_EQ(errorOf(R"({"type":1,"target":"T","arguments":{}})"), ProtocolErrc::WrongFieldType);
  EXPECT_EQ(errorOf(R"({"type":1,"invocationId":7,"target":"T","arguments":[]})"),
            ProtocolErrc::WrongFieldType);
  EXPECT_EQ(errorOf(R"({"type":1,"target":"T","arguments":[],"streamIds":[1]})"),
            ProtocolErrc::WrongFieldType);
  EXPECT_EQ(errorOf(R"({"type":4,"target":"T","arguments":[]})"), ProtocolErrc::MissingField);
  EXPECT_EQ(errorOf(R"({"type":1,"target":"T","arguments":[],"headers":{"a":1}})"),
            ProtocolErrc::WrongFieldType);
}

TEST(HubMessage, RefusesOverlongInvocationIds) {
  ParseLimits limits;
  limits.maxInvocationIdBytes = 4;
  EXPECT_TRUE(parseHubMessage(R"({"type":5,"invocationId":"1234"})", limits));
  auto r = parseHubMessage(R"({"type":5,"invocationId":"12345"})", limits);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ProtocolErrc::InvalidValue);
}

TEST(HubMessage, RefusesDeepNesting) {
  std::string deep = R"({"type":1,"target":"T","arguments":[)";
  for (int i = 0; i < 100; ++i) deep += '[';
  for (int i = 0; i < 100; ++i) deep += ']';
  deep += "]}";
  EXPECT_EQ(errorOf(deep), ProtocolErrc::InvalidJson);
}

TEST(HubMessage, RefusesBadCloseAndSequenceFields) {
  EXPECT_EQ(errorOf(R"({"type":7,"allowReconnect":"yes"})"), ProtocolErrc::WrongFieldType);
  EXPECT_EQ(errorOf(R"({"type":7,"error":5})"), ProtocolErrc::WrongFieldType);
  EXPECT_EQ(errorOf(R"({"type":8})"), ProtocolErrc::MissingField);
  EXPECT_EQ(errorOf(R"({"type":9,"sequenceId":-4})"), ProtocolErrc::WrongFieldType);
  EXPECT_EQ(errorOf(R"({"type":2,"invocationId":"1"})"), ProtocolErrc::MissingField);
}

}  // namespace
}  // namespace latch::protocol
