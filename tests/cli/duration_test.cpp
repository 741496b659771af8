#include "cli/duration.hpp"

#include <gtest/gtest.h>

namespace latch::cli {
namespace {

TEST(Duration, ParsesUnits) {
  EXPECT_EQ(parseDurationSeconds("900"), 900);
  EXPECT_EQ(parseDurationSeconds("900s"), 900);
  EXPECT_EQ(parseDurationSeconds("15m"), 900);
  EXPECT_EQ(parseDurationSeconds("2h"), 7200);
  EXPECT_EQ(parseDurationSeconds("1d"), 86400);
}

TEST(Duration, RefusesNonsense) {
  EXPECT_FALSE(parseDurationSeconds(""));
  EXPECT_FALSE(parseDurationSeconds("m"));
  EXPECT_FALSE(parseDurationSeconds("0"));
  EXPECT_FALSE(parseDurationSeconds("-5m"));
  EXPECT_FALSE(parseDurationSeconds("5x"));
  EXPECT_FALSE(parseDurationSeconds("1.5h"));
  EXPECT_FALSE(parseDurationSeconds("400d"));
  EXPECT_FALSE(parseDurationSeconds("99999999999999999999"));
}

}  // namespace
}  // namespace latch::cli
