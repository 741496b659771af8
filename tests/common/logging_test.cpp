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

}  // namespace
}  // namespace latch
