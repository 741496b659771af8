#include "protocol/record_splitter.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace latch::protocol {
namespace {

std::vector<std::string> feedAll(RecordSplitter& s, std::string_view data, bool* ok = nullptr) {
  std::vector<std::string> out;
  auto r = s.feed(data, [&](std::string_view rec) {
    out.emplace_back(rec);
    return true;
  });
  if (ok) *ok = r.has_value();
  return out;
}

TEST(RecordSplitter, SplitsSeveralRecordsInOneChunk) {
  RecordSplitter s(1024);
  EXPECT_EQ(feedAll(s, "{\"a\":1}\x1e{\"b\":2}\x1e"),
            (std::vector<std::string>{"{\"a\":1}", "{\"b\":2}"}));
  EXPECT_FALSE(s.hasPartial());
}

TEST(RecordSplitter, JoinsARecordSplitAcrossChunks) {
  RecordSplitter s(1024);
  EXPECT_TRUE(feedAll(s, "{\"ty").empty());
  EXPECT_TRUE(s.hasPartial());
  EXPECT_TRUE(feedAll(s, "pe\":").empty());
  EXPECT_EQ(feedAll(s, "6}\x1e{\"x"), (std::vector<std::string>{"{\"type\":6}"}));
  EXPECT_EQ(feedAll(s, "\":1}\x1e"), (std::vector<std::string>{"{\"x\":1}"}));
}

TEST(RecordSplitter, ByteByByteGivesTheSameRecords) {
  RecordSplitter s(1024);
  const std::string stream = "{\"type\":6}\x1e{\"type\":1,\"target\":\"A\"}\x1e";
  std::vector<std::string> out;
  for (char c : stream) {
    auto more = feedAll(s, std::string_view(&c, 1));
    out.insert(out.end(), more.begin(), more.end());
  }
  EXPECT_EQ(out, (std::vector<std::string>{"{\"type\":6}", "{\"type\":1,\"target\":\"A\"}"}));
}

TEST(RecordSplitter, EmptyRecordsAreDeliveredForTheParserToRefuse) {
  RecordSplitter s(1024);
  EXPECT_EQ(feedAll(s, "\x1e\x1e"), (std::vector<std::string>{"", ""}));
}

TEST(RecordSplitter, RefusesARecordOverTheLimitInOneChunk) {
  RecordSplitter s(8);
  bool ok = true;
  feedAll(s, "123456789\x1e", &ok);
  EXPECT_FALSE(ok);
}

TEST(RecordSplitter, RefusesAnUnterminatedRecordGrowingOverTheLimit) {
  RecordSplitter s(8);
  bool ok = true;
  feedAll(s, "12345", &ok);
  EXPECT_TRUE(ok);
  feedAll(s, "6789", &ok);
  EXPECT_FALSE(ok);
}

TEST(RecordSplitter, AcceptsARecordExactlyAtTheLimit) {
  RecordSplitter s(8);
  bool ok = false;
  EXPECT_EQ(feedAll(s, "12345678\x1e", &ok), (std::vector<std::string>{"12345678"}));
  EXPECT_TRUE(ok);
}

TEST(RecordSplitter, StopsWhenTheCallbackSaysSo) {
  RecordSplitter s(64);
  int seen = 0;
  auto r = s.feed(
      "a\x1e"
      "b\x1e"
      "c\x1e",
      [&](std::string_view) { return ++seen < 2; });
  EXPECT_TRUE(r);
  EXPECT_EQ(seen, 2);
}

TEST(RecordSplitter, ErrorMessageNamesTheLimitNotTheInput) {
  RecordSplitter s(4);
  auto r = s.feed("secret-token\x1e", [](std::string_view) { return true; });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ProtocolErrc::MessageTooLarge);
  EXPECT_NE(r.error().message.find("4 bytes"), std::string::npos);
  EXPECT_EQ(r.error().message.find("secret"), std::string::npos);
}

}  // namespace
}  // namespace latch::protocol
