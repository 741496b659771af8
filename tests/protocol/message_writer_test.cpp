#include "protocol/message_writer.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include "protocol/hub_message.hpp"

namespace latch::protocol {
namespace {

// Strips the record separator and checks there is exactly one, at the end.
std::string_view record(const std::string& out) {
  EXPECT_FALSE(out.empty());
  EXPECT_EQ(out.back(), '\x1e');
  EXPECT_EQ(out.find('\x1e'), out.size() - 1);
  return std::string_view(out).substr(0, out.size() - 1);
}

TEST(MessageWriter, CompletionWithResultRoundTrips) {
  std::string out;
  writeCompletionResult(out, "7", boost::json::parse(R"({"a":[1,"x"]})"));
  EXPECT_EQ(record(out), R"({"type":3,"invocationId":"7","result":{"a":[1,"x"]}})");
  auto m = parseHubMessage(record(out));
  ASSERT_TRUE(m);
  EXPECT_EQ(std::get<CompletionMessage>(*m).result->at("a").as_array().size(), 2u);
}

TEST(MessageWriter, CompletionVoidAndError) {
  std::string out;
  writeCompletionVoid(out, "1");
  EXPECT_EQ(record(out), R"({"type":3,"invocationId":"1"})");
  out.clear();
  writeCompletionError(out, "2", "bad \"thing\"\n");
  EXPECT_EQ(record(out), R"({"type":3,"invocationId":"2","error":"bad \"thing\"\n"})");
}

TEST(MessageWriter, InvocationWithAndWithoutId) {
  std::string out;
  writeInvocation(out, "", "Hello", boost::json::array{"world", 1});
  EXPECT_EQ(record(out), R"({"type":1,"target":"Hello","arguments":["world",1]})");
  out.clear();
  writeInvocation(out, "5", "Ask", boost::json::array{});
  EXPECT_EQ(record(out), R"({"type":1,"invocationId":"5","target":"Ask","arguments":[]})");
}

TEST(MessageWriter, PingAndClose) {
  std::string out;
  writePing(out);
  EXPECT_EQ(record(out), R"({"type":6})");
  out.clear();
  writeClose(out, std::nullopt, false);
  EXPECT_EQ(record(out), R"({"type":7})");
  out.clear();
  writeClose(out, "Token expired", true);
  EXPECT_EQ(record(out), R"({"type":7,"error":"Token expired","allowReconnect":true})");
}

TEST(MessageWriter, EscapesControlCharactersSoNoLineBreakOrSeparatorLeaks) {
  std::string out;
  writeCompletionError(out, "1",
                       std::string("a\x1e"
                                   "b\r\x01",
                                   5));
  EXPECT_EQ(record(out), R"({"type":3,"invocationId":"1","error":"a\u001eb\r\u0001"})");
  EXPECT_EQ(out.find('\n'), std::string::npos);
}

TEST(MessageWriter, BatchesAppendedMessages) {
  std::string out;
  writePing(out);
  writePing(out);
  EXPECT_EQ(out, "{\"type\":6}\x1e{\"type\":6}\x1e");
}

}  // namespace
}  // namespace latch::protocol
