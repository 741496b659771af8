#include "common/logging.hpp"

#include <gtest/gtest.h>

namespace latch {
namespace {

TEST(RedactTarget, RemovesAccessTokenValue) {
  EXPECT_EQ(redactTarget("/hubs/command?id=abc&access_token=eyJsecret"),
            "/hubs/command?id=abc&access_token=[redacted]");
}

TEST(RedactTarget, RemovesTokenWhateverItsPositionOrCase) {
  EXPECT_EQ(redactTarget("/hubs/command?Access_Token=secret&id=1"),
            "/hubs/command?Access_Token=[redacted]&id=1");
  EXPECT_EQ(redactTarget("/x?access_token=a&access_token=b"),
            "/x?access_token=[redacted]&access_token=[redacted]");
}

TEST(RedactTarget, RemovesPercentEncodedKeys) {
  const std::string out = redactTarget("/x?access%5Ftoken=secret");
  EXPECT_EQ(out.find("secret"), std::string::npos);
}

TEST(RedactTarget, LeavesOtherTargetsAlone) {
  EXPECT_EQ(redactTarget("/hubs/command"), "/hubs/command");
  EXPECT_EQ(redactTarget("/hubs/command?id=1&_=2"), "/hubs/command?id=1&_=2");
}

// A client-chosen value in a log line: it can neither end the line nor pass for another field.
TEST(LogField, ControlCharactersAreEscapedSoNoLineCanBeForged) {
  EXPECT_EQ(logField("h_1\n2026-01-01 warn audit: forged"),
            R"("h_1\n2026-01-01 warn audit: forged")");
  EXPECT_EQ(logField("a\rb\tc\x01"
                     "d\x7f"),
            R"(a\rb\tc\x01d\x7f)");
  EXPECT_EQ(logField("back\\slash"), R"(back\\slash)");
  const std::string escaped = logField(std::string("x\0y\x1b[31m", 8));
  EXPECT_EQ(escaped, R"(x\x00y\x1b[31m)");
  EXPECT_EQ(escaped.find_first_of(std::string("\n\r\0\x1b", 4)), std::string::npos);
}

TEST(LogField, ValuesThatLookLikeOtherFieldsAreQuoted) {
  EXPECT_EQ(logField("h_1 outcome=ok"), R"("h_1 outcome=ok")");
  EXPECT_EQ(logField("a=b"), R"("a=b")");
  EXPECT_EQ(logField(R"(say "hi")"), R"("say \"hi\"")");
  EXPECT_EQ(logField(""), R"("")");
}

TEST(LogField, OrdinaryIdsAndUtf8AreLeftAlone) {
  EXPECT_EQ(logField("h_AbC-123"), "h_AbC-123");
  EXPECT_EQ(logField("caf\xc3\xa9"), "caf\xc3\xa9");
}

}  // namespace
}  // namespace latch
