#include "relay/replay_mark.hpp"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "support/temp_dir.hpp"

namespace latch::relay {
namespace {

std::string readFile(const std::filesystem::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(ReplayMarkTest, ANewFileHasNoPreviousMark) {
  testing::TempDir dir;
  auto mark = ReplayMark::open((dir.path() / "replay-mark").string(), 99);
  ASSERT_TRUE(mark);
  EXPECT_EQ((*mark)->previous(), 0);
}

TEST(ReplayMarkTest, ACoveredIatIsStoredAStepAheadAndReadByTheNextRun) {
  testing::TempDir dir;
  const auto path = (dir.path() / "replay-mark").string();
  {
    auto mark = ReplayMark::open(path, 99);
    ASSERT_TRUE(mark);
    EXPECT_TRUE((*mark)->cover(5'000));
    EXPECT_EQ((*mark)->stored(), 5'000 + ReplayMark::kStepMs);
    // Within the step: nothing is written.
    EXPECT_TRUE((*mark)->cover(5'500));
    EXPECT_EQ((*mark)->stored(), 5'000 + ReplayMark::kStepMs);
    EXPECT_TRUE((*mark)->cover(7'000));
    EXPECT_EQ((*mark)->previous(), 0);  // this run's marks are for the next run
  }
  auto next = ReplayMark::open(path, 99);
  ASSERT_TRUE(next);
  EXPECT_EQ((*next)->previous(), 7'000 + ReplayMark::kStepMs);
  // An iat below what is stored needs no write; the stored mark never goes back.
  EXPECT_TRUE((*next)->cover(10));
  EXPECT_EQ((*next)->stored(), 7'000 + ReplayMark::kStepMs);
}

TEST(ReplayMarkTest, ADamagedFileReadsAsTheFallbackAndIsRepaired) {
  testing::TempDir dir;
  const auto path = dir.path() / "replay-mark";
  for (const char* damage : {"12345", "not a number at all!\n", "                  -5\n",
                             "                 123 trailing\n"}) {
    std::ofstream(path, std::ios::trunc) << damage;
    auto mark = ReplayMark::open(path.string(), 424'242);
    ASSERT_TRUE(mark) << damage;
    EXPECT_EQ((*mark)->previous(), 424'242) << damage;
    EXPECT_EQ(readFile(path), "              424242\n") << damage;
  }
}

TEST(ReplayMarkTest, AnUnwritablePlaceIsAClearError) {
  testing::TempDir dir;
  auto mark = ReplayMark::open((dir.path() / "no" / "such" / "dir" / "replay-mark").string(), 1);
  ASSERT_FALSE(mark);
  EXPECT_NE(mark.error().message.find("cannot open"), std::string::npos);
}

}  // namespace
}  // namespace latch::relay
